"""``Module``'s obligations: ``Remembered``, declared transient attributes, the compute dtype,
and the one-way dependency between ``module.py`` and ``serialization.py``."""

import ast
import copy
import pickle
from pathlib import Path

import numpy as np
import pytest

import flambeau as fb
from flambeau import registry
from flambeau._checks import NotNumericError
from flambeau.module import MODULES, Module, Remembered

SRC = Path(fb.__file__).parent


# -- Remembered ------------------------------------------------------------------------------------
def test_recall_is_by_identity_never_by_value():
    memo, X = Remembered(), np.arange(3.0)
    assert memo.empty and memo.recall(X) is None and memo.recall(None) is None
    value = object()
    assert memo.remember(X, value) is value
    assert memo.recall(X) is value and memo.key is X
    assert memo.recall(X.copy()) is None
    memo.forget()
    assert memo.empty and memo.recall(X) is None


def test_require_accepts_the_object_or_an_equal_array():
    memo, X = Remembered(), np.array([[1.0, np.nan], [2.0, 3.0]])
    memo.remember(X, "value")
    assert memo.require(X, "M.m") == "value"
    assert memo.require(X.copy(), "M.m") == "value"
    assert memo.require(X.tolist(), "M.m") == "value"  # NaN counts as equal to NaN
    ints = Remembered()
    ints.remember(np.arange(4), "v")
    assert ints.require(list(range(4)), "M.m") == "v"


def test_require_refuses_other_inputs_and_an_empty_memo():
    memo, X = Remembered(), np.zeros((2, 3))
    with pytest.raises(RuntimeError, match=r"^M.m: no forward pass to go back through; call "
                                           r"forward\(input\) first, then the backward methods "
                                           "with that same input$"):
        memo.require(X, "M.m")
    memo.remember(X, "value")
    with pytest.raises(RuntimeError, match=r"^M.m: input has shape \(3, 2\), the last forward's had "
                                           r"\(2, 3\); call forward\(input\) first"):
        memo.require(np.zeros((3, 2)), "M.m")
    with pytest.raises(RuntimeError, match=r"^M.m: input differs from the last forward's \(same shape "
                                           r"\(2, 3\), other values\); call forward\(input\) first, "
                                           r".*would draw new Dropout masks and move BatchNorm "
                                           r"statistics twice\)$"):
        memo.require(np.ones((2, 3)), "M.m")
    with pytest.raises(RuntimeError, match="M.m: input differs"):
        memo.require([["a", "b", "c"], ["d", "e", "f"]], "M.m")  # text: no NumPy error
    with pytest.raises(RuntimeError, match=r"M.m: input has shape \(ragged\), the last forward's had"):
        memo.require([[1, 2], [3]], "M.m")  # ragged: no NumPy error either


# -- transient attributes --------------------------------------------------------------------------
def _sequential():
    return fb.Sequential(fb.Linear(3, 4, rng=0), fb.Dropout(0.5, rng=1), fb.TanH())


# every library class with transient attributes: (builder, input shape)
TRANSIENT_CASES = {
    "TanH": (fb.TanH, (4, 3)),
    "Sigmoid": (fb.Sigmoid, (4, 3)),
    "Softmax": (fb.Softmax, (4, 3)),
    "LogSoftmax": (fb.LogSoftmax, (4, 3)),
    "MaxPool1D": (lambda: fb.MaxPool1D(2), (2, 6, 2)),
    "MaxPool2D": (lambda: fb.MaxPool2D(2), (2, 4, 4, 2)),
    "Conv1D": (lambda: fb.Conv1D(3, 2, 3, padding=1, rng=0), (2, 6, 2)),
    "Conv2D": (lambda: fb.Conv2D(3, 2, 3, padding=1, rng=0), (2, 5, 5, 2)),
    "BatchNorm1D": (lambda: fb.BatchNorm1D(3), (4, 3)),
    "Dropout": (lambda: fb.Dropout(0.5, rng=0), (4, 3)),
    "Sequential": (_sequential, (4, 3)),
    "Concat": (lambda: fb.Concat(fb.Linear(3, 2, rng=0), fb.Linear(3, 1, rng=1)), (4, 3)),
    "AutoEncoder": (lambda: fb.AutoEncoder.symmetric(6, 2, rng=0), (4, 6)),
}


def _library_classes_with_transient_state():
    return sorted(name for name, cls in MODULES.items()
                  if cls.__module__.startswith("flambeau.") and cls._all_transient)


def test_every_library_class_with_transient_state_has_a_case():
    assert _library_classes_with_transient_state() == sorted(TRANSIENT_CASES)


def _is_empty(value, empty) -> bool:
    if isinstance(empty, Remembered):
        return value.empty
    return value is None if empty is None else len(value) == 0


def _trained(name):
    build, shape = TRANSIENT_CASES[name]
    module, rng = build(), np.random.default_rng(0)
    X = rng.normal(size=shape).astype(np.float32)
    Y = module.forward(X)
    delta = rng.normal(size=Y.shape).astype(np.float32)
    module.backward_update_gradient(X, delta)
    module.backward_delta(X, delta)
    return module, X, delta


COPIERS = {"copy": copy.copy, "deepcopy": copy.deepcopy,
           "pickle": lambda m: pickle.loads(pickle.dumps(m))}


@pytest.mark.parametrize("copier", COPIERS)
@pytest.mark.parametrize("name", sorted(TRANSIENT_CASES))
def test_copies_never_carry_transient_attributes(name, copier):
    module, X, delta = _trained(name)
    transient = type(module)._all_transient
    assert not all(_is_empty(getattr(module, a), e) for a, e in transient.items()), "nothing cached"
    clone = COPIERS[copier](module)
    for attr, empty in transient.items():
        value = getattr(clone, attr)
        assert type(value) is type(empty) and _is_empty(value, empty), attr
        assert value is not getattr(module, attr) or value is None, attr
    assert not all(_is_empty(getattr(module, a), e) for a, e in transient.items()), "original emptied"
    assert clone.get_config().keys() == module.get_config().keys()
    for key, param in module.parameters().items():
        np.testing.assert_array_equal(clone.parameters()[key], param)


@pytest.mark.parametrize("name", sorted(TRANSIENT_CASES))
def test_a_deep_copy_runs_forward_and_backward_like_the_original(name):
    module, X, delta = _trained(name)
    clone = copy.deepcopy(module)
    expected = copy.deepcopy(module)  # same random generator state as the clone
    for net in (clone, expected):
        net.zero_grad()
        net.forward(X)
        net.backward_update_gradient(X, delta)
    np.testing.assert_array_equal(clone.backward_delta(X, delta), expected.backward_delta(X, delta))
    for key, grad in expected.gradients().items():
        np.testing.assert_array_equal(clone.gradients()[key], grad)


class _Cached(Module):
    _transient = {"_memo": Remembered(), "_scratch": {}}


class _MoreCached(_Cached):
    _transient = {"_mask": None}


def test_declarations_add_up_along_the_class_hierarchy_and_init_creates_them():
    assert list(_MoreCached._all_transient) == ["_memo", "_scratch", "_mask"]
    a, b = _MoreCached(), _MoreCached()
    assert a._memo.empty and a._scratch == {} and a._mask is None
    assert a._memo is not b._memo and a._scratch is not b._scratch  # fresh copies per instance
    assert list(fb.Conv1D._all_transient) == ["_scratch"]


def test_a_bad_declaration_fails_when_the_class_is_defined():
    with pytest.raises(TypeError, match=r"_Bad._transient must be a dict \{attribute name: empty "
                                        r"value\}, got \['_cache'\]"):
        class _Bad(Module):
            _transient = ["_cache"]


# -- compute dtype ---------------------------------------------------------------------------------
class _Scale(Module):
    """A parametric module whose parameter is not called ``W``."""

    def __init__(self, dtype):
        super().__init__()
        self._parameters["gamma"] = np.full(3, 2, dtype)
        self._init_gradients()

    def forward(self, X):
        return self._compute_input(X) * self._parameters["gamma"]


class _Double(Module):
    def forward(self, X):
        return 2 * self._compute_input(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compute_input_uses_the_modules_dtype_whatever_its_parameters_names(dtype):
    assert _Scale(dtype).forward(np.ones((2, 3), np.int64)).dtype == dtype
    assert fb.Sequential(fb.ReLU(), _Scale(dtype)).dtype == dtype


def test_compute_input_without_parameters_is_a_float_conversion():
    X = np.ones((2, 3), np.float32)
    assert _Double().forward(X).dtype == np.float32
    assert _Double().forward([[1, 2]]).dtype == np.float64
    with pytest.raises(NotNumericError, match="^_Double.forward: X must be an array of real numbers"):
        _Double().forward("abc")


# -- registries and the import graph ---------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions, as a dotted name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "flambeau" if node.level else ""
            names.update(f"{base}.{node.module}" if node.module else
                         f"{base}.{alias.name}" for alias in node.names)
    return names


def test_module_depends_on_serialization_and_never_the_reverse():
    assert "flambeau.serialization" in _imports(SRC / "module.py")
    assert not {"flambeau.module", "flambeau.layers", "flambeau.containers"} & _imports(
        SRC / "serialization.py")
    assert not {name for name in _imports(SRC / "registry.py") if name.startswith("flambeau")}


def test_registries_live_in_one_place():
    assert MODULES is registry.MODULES and fb.module.LOSSES is registry.LOSSES
    assert MODULES["Linear"] is fb.Linear and registry.LOSSES["MSELoss"] is fb.MSELoss
    assert "_Scale" not in MODULES  # private names are not registered


def test_save_and_both_loads_still_work(tmp_path):
    net = fb.Sequentiel(fb.Linear(3, 2, rng=0), fb.TanH())
    net.save(tmp_path / "net.npz")
    rebuilt = fb.Sequential.load(tmp_path / "net.npz")
    into = fb.Sequential(fb.Linear(3, 2, rng=5), fb.TanH())
    assert into.load(tmp_path / "net.npz") is into
    for other in (rebuilt, into):
        np.testing.assert_array_equal(other[0]._parameters["W"], net[0]._parameters["W"])
