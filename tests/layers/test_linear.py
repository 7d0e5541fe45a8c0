"""Linear: shapes and errors, initialisation, repr (gradients, PyTorch agreement, accumulation and
the update step: the check battery, tests/test_modules.py)."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError


def test_shapes_and_parameters():
    layer = fb.Linear(5, 2)
    assert layer._parameters["W"].shape == (5, 2)
    assert layer._parameters["b"].shape == (2,)
    assert set(layer._gradient) == {"W", "b"}
    assert layer.forward(np.ones((7, 5), np.float32)).shape == (7, 2)
    assert layer._parameters["W"].dtype == np.float32
    assert "b" not in fb.Linear(5, 2, bias=False)._parameters


def test_wrong_input_shape_names_module_and_shapes():
    with pytest.raises(ShapeError, match=r"Linear.forward: X must have shape \(batch, 5\), got \(7, 4\)"):
        fb.Linear(5, 2).forward(np.ones((7, 4), np.float32))
    with pytest.raises(ShapeError, match=r"Linear.forward: X must have shape \(batch, 5\), got \(5,\)"):
        fb.Linear(5, 2).forward(np.ones(5, np.float32))


def test_wrong_delta_shape():
    layer = fb.Linear(5, 2)
    X = np.ones((3, 5), np.float32)
    with pytest.raises(ShapeError, match=r"Linear.backward_update_gradient: delta must have shape "
                                         r"\(3, 2\) for an input of shape \(3, 5\), got \(3, 3\)"):
        layer.backward_update_gradient(X, np.ones((3, 3), np.float32))
    with pytest.raises(ShapeError, match=r"^Linear.backward_delta: delta must have shape \(3, 2\) for an "
                                         r"input of shape \(3, 5\), got \(3, 4\)$"):
        layer.backward_delta(X, np.ones((3, 4), np.float32))
    # one row too many: refused, not a gradient of 4 rows for an input of 3
    with pytest.raises(ShapeError, match=r"^Linear.backward_delta: delta must have shape \(3, 2\) for an "
                                         r"input of shape \(3, 5\), got \(4, 2\)$"):
        layer.backward_delta(X, np.ones((4, 2), np.float32))


def test_constructor_errors():
    with pytest.raises(ValueError, match="Linear: input must be a positive int, got 0"):
        fb.Linear(0, 2)
    with pytest.raises(ValueError, match="Linear: unknown init 'bogus'"):
        fb.Linear(2, 2, init="bogus")


def test_default_init_matches_pytorch_bounds():
    layer = fb.Linear(400, 300, rng=1, dtype=np.float64)
    bound = 1 / np.sqrt(400)
    for p in layer._parameters.values():
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound


def test_seeded_init_is_reproducible():
    a, b = fb.Linear(6, 5, rng=3), fb.Linear(6, 5, rng=3)
    np.testing.assert_array_equal(a._parameters["W"], b._parameters["W"])
    assert not np.array_equal(a._parameters["W"], fb.Linear(6, 5, rng=4)._parameters["W"])


def test_repr_and_config_round_trip():
    layer = fb.Linear(3, 2, bias=False, init="he")
    assert repr(layer) == "Linear(input=3, output=2, bias=False, init='he')"
    clone = fb.Linear(**layer.get_config())
    assert clone.get_config() == layer.get_config()
