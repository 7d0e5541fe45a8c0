"""Package hygiene: exports, dependency direction, no torch in the library."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import flambeau

SRC = Path(flambeau.__file__).parent


def test_all_is_sorted_and_importable():
    assert list(flambeau.__all__) == sorted(flambeau.__all__)
    for name in flambeau.__all__:
        assert hasattr(flambeau, name), name


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = path.relative_to(SRC.parent).parent.parts
                base = ".".join(package[: len(package) - node.level + 1])
                yield f"{base}.{node.module}" if node.module else base
            else:
                yield node.module


def test_library_never_imports_torch():
    for path in SRC.rglob("*.py"):
        for name in _imports(path):
            assert not name.split(".")[0] == "torch", f"{path} imports {name}"


def test_nothing_but_the_cli_imports_the_web_app():
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("app", "commands"):
            continue
        for name in _imports(path):
            assert not name.startswith("flambeau.app"), f"{rel} imports {name}"


def test_import_flambeau_leaves_the_checkers_and_torch_out():
    """``flambeau.testing`` is imported on demand, and reaches PyTorch only when a reference runs."""
    code = ("import sys, flambeau; assert 'flambeau.testing' not in sys.modules; "
            "import flambeau.testing; assert 'torch' not in sys.modules, 'torch imported'")
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
