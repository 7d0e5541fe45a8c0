"""Package hygiene: exports, dependency direction, no torch in the library."""

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def _fresh_interpreter(code: str):
    """Run ``code`` in a new Python importing this flambeau; returns the JSON it prints."""
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


#: Heavy dependencies that ``import flambeau`` must not load (they come with the submodules).
HEAVY = ("dash", "matplotlib", "plotly", "sklearn", "torch", "umap")


def test_import_flambeau_loads_no_heavy_dependency_nor_lazy_submodule():
    loaded = _fresh_interpreter("import json, sys, flambeau; print(json.dumps(sorted(sys.modules)))")
    tops = {name.split(".")[0] for name in loaded}
    assert not tops & set(HEAVY), sorted(tops & set(HEAVY))
    lazy = [f"flambeau.{name}"
            for name in ("analysis", "check", "course", "datasets", "plot", "signatures", "studies")]
    assert not set(lazy) & set(loaded), sorted(set(lazy) & set(loaded))


def test_submodules_are_at_hand_after_import_flambeau():
    found = _fresh_interpreter("import json, flambeau as fb\n"
                               "print(json.dumps([fb.course.gen_arti.__module__, fb.datasets.__name__]))")
    assert found == ["flambeau.course.mltools", "flambeau.datasets"]
    for name in flambeau._LAZY_SUBMODULES:  # the heavy ones (umap, sklearn) in this process
        exists = importlib.util.find_spec(f"flambeau.{name}") is not None
        assert hasattr(flambeau, name) == exists == (name in dir(flambeau)), name
        if exists:
            assert getattr(flambeau, name) is sys.modules[f"flambeau.{name}"]
    assert set(flambeau._LAZY_SUBMODULES) <= set(dir(flambeau))


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match=r"^module 'flambeau' has no attribute 'no_such_thing'$"):
        flambeau.no_such_thing  # noqa: B018


def test_import_flambeau_leaves_the_checkers_and_torch_out():
    """``flambeau.testing`` is imported on demand, and reaches PyTorch only when a reference runs."""
    code = ("import sys, flambeau; assert 'flambeau.testing' not in sys.modules; "
            "import flambeau.testing, flambeau.check; assert 'torch' not in sys.modules, 'torch imported'")
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
