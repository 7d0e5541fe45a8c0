"""Import a file of user classes by its path: ``import_file("my_layers.py")``.

A student's layers live in a script, not in an installed package. Importing the file runs its
class statements, which register its ``Module`` subclasses (``flambeau.registry``); a saved model
that names them then loads (``flambeau.serialization`` matches a saved ``__main__.Linear`` with
the imported class of the same qualified name). The CLI's ``--import FILE`` calls this.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["import_file"]


def _module_name(path: Path) -> str:
    """A name no other module has: the file's stem and a hash of its absolute path."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"flambeau_user_{stem}_{digest}"


def import_file(path, reload: bool = False) -> ModuleType:
    """Import the Python file at ``path`` under a unique module name and return the module.

    The same file imported twice is the same module (not run again), unless ``reload``: then the
    file is run again (it may have changed since; its classes replace their earlier definitions
    in the registries). A missing file or a file that fails to run raises ``ImportError`` naming
    the file (the cause chained).
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ImportError(f"import_file: no such file: {path}")
    name = _module_name(path)
    if name in sys.modules and not reload:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"import_file: {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before running it: dataclasses and pickling look it up
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise ImportError(f"import_file: running {path} failed: {type(error).__name__}: {error}") \
            from error
    return module
