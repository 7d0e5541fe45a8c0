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


def _is_flambeau_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path, source: str | None = None):
    """Every module the file ``path`` (or ``source``, as if it were that file) imports, at its top
    or inside a function, as a dotted name (``from . import files`` in ``flambeau/x.py`` is
    ``flambeau.files``)."""
    tree = ast.parse(path.read_text() if source is None else source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module
            if node.level:
                package = path.relative_to(SRC.parent).parent.parts
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            for alias in node.names:  # a submodule, or a name defined in the module
                submodule = f"{module}.{alias.name}"
                yield submodule if _is_flambeau_module(submodule) else module


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


# The dependency direction of the house style: core <- layers/losses <- optim <- training <-
# datasets/experiments/signatures <- cli/app. A module imports only from its own level or below.
# The checkers (gradcheck, the battery and module database, the teacher's checker) sit with
# training: built on the modules and losses, used by the applications.
LEVELS = {
    "core": ("_checks", "_optional", "archive", "dtype", "files", "init", "metrics", "module", "random",
             "registry", "serialization", "summary", "user_code"),
    "layers/losses": ("aliases", "autoencoder", "containers", "layers", "losses", "models"),
    "optim": ("callbacks", "optim", "regularization", "rules", "schedules"),
    "training": ("", "check", "checkpoint", "evaluation", "gradcheck", "testing", "training"),  # "": flambeau
    "datasets/experiments/signatures": ("analysis", "course", "datasets", "experiments", "interop", "plot",
                                        "signatures", "studies"),
    "cli/app": ("__main__", "app", "cli", "commands"),
}

UPWARD_IMPORTS = {
    ("flambeau.containers", "flambeau.training"): "Sequential.fit, the shortcut for SGD, imports it "
                                                  "when called",
}
"""The imports allowed against the direction, each inside the one function that needs it."""


def _level(module: str) -> int:
    """The rank in ``LEVELS`` of a flambeau module (its top-level part decides)."""
    top = module.split(".")[1] if "." in module else ""
    for rank, names in enumerate(LEVELS.values()):
        if top in names:
            return rank
    raise AssertionError(f"{module}: not in LEVELS of tests/test_package.py; give it its level")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_imports_follow_the_dependency_direction():
    names = list(LEVELS)
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        for name in _imports(path):
            if name.split(".")[0] != "flambeau" or _level(name) <= _level(module):
                continue
            if (module, name) not in UPWARD_IMPORTS:
                upward.append(f"{module} ({names[_level(module)]}) imports {name} ({names[_level(name)]})")
    assert not upward, "imports against the direction core <- ... <- cli/app:\n" + "\n".join(upward)


def test_the_dependency_check_sees_relative_lazy_and_package_imports():
    source = ("from . import serialization, __version__\nfrom .layers import Linear\nimport numpy\n"
              "def fit():\n    from .training import SGD\n    from flambeau import datasets, SGD\n")
    names = set(_imports(SRC / "containers.py", source))
    assert names == {"flambeau.serialization", "flambeau", "flambeau.layers", "numpy", "flambeau.training",
                     "flambeau.datasets"}
    assert _level("flambeau.training") > _level("flambeau.containers") == _level("flambeau.layers.linear")
    assert _level("flambeau") == _level("flambeau.training") < _level("flambeau.datasets.idx")
    assert _level("flambeau.app.store") == _level("flambeau.cli") == len(LEVELS) - 1
    with pytest.raises(AssertionError, match="flambeau.newthing: not in LEVELS"):
        _level("flambeau.newthing")


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
            for name in ("analysis", "check", "course", "datasets", "interop", "plot", "signatures",
                         "studies")]
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
