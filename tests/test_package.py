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


FRAMEWORKS = ("torch", "keras", "onnx", "onnxruntime", "tensorflow")


def test_library_never_imports_torch():
    for path in SRC.rglob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] not in FRAMEWORKS, f"{path} imports {name}"


def test_importing_the_library_and_its_recorders_loads_no_framework():
    code = ("import sys, flambeau, flambeau.signatures, flambeau.cli; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_nothing_but_the_cli_imports_the_web_app():
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("app", "commands"):
            continue
        for name in _imports(path):
            assert not name.startswith("flambeau.app"), f"{rel} imports {name}"
