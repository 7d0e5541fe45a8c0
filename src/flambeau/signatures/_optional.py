"""Import an optional framework inside the function that needs it, with the install hint."""

from __future__ import annotations

import importlib

__all__ = ["require"]


def require(module: str, extra: str, where: str):
    """The module ``module``, or an ``ImportError`` telling how to install the extra ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{where} needs {module.split('.')[0]}: pip install 'flambeau[{extra}]'") from error
