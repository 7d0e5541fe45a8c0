"""TiedLinear: shapes and errors, shared storage, the weight gradient accumulated into the twin,
config, deepcopy (gradients and PyTorch agreement in a network: the check battery and its cases,
tests/test_modules.py)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from flambeau import Linear, Sequential, ShapeError, TanH, default_dtype
from flambeau.layers.tied import TiedLinear


@pytest.fixture
def pair():
    with default_dtype(np.float64):
        twin = Linear(5, 3, rng=1)
        return twin, TiedLinear(twin, rng=2)


def test_shapes_and_sizes(pair):
    twin, tied = pair
    assert (tied.input, tied.output) == (3, 5)
    Y = tied.forward(np.ones((4, 3)))
    assert Y.shape == (4, 5)
    assert list(tied.parameters()) == ["b"]
    assert tied.parameters()["b"].shape == (5,)


def test_forward_uses_transpose_of_twin_weight(pair):
    twin, tied = pair
    X = np.random.default_rng(0).normal(size=(4, 3))
    expected = X @ twin._parameters["W"].T + tied._parameters["b"]
    np.testing.assert_allclose(tied.forward(X), expected)


def test_storage_is_shared_not_copied(pair):
    twin, tied = pair
    twin._parameters["W"][0, 0] = 7.0
    assert tied.weight[0, 0] == 7.0
    assert tied.weight is twin._parameters["W"]


def test_weight_gradient_accumulates_into_twin(pair):
    twin, tied = pair
    rng = np.random.default_rng(0)
    X, delta = rng.normal(size=(4, 3)), rng.normal(size=(4, 5))
    tied.backward_update_gradient(X, delta)
    np.testing.assert_allclose(twin._gradient["W"], delta.T @ X)
    tied.backward_update_gradient(X, delta)
    np.testing.assert_allclose(twin._gradient["W"], 2 * delta.T @ X)
    np.testing.assert_allclose(tied._gradient["b"], 2 * delta.sum(axis=0))


def test_parameters_list_the_shared_weight_once(pair):
    twin, tied = pair
    net = Sequential(twin, TanH(), tied)
    assert list(net.parameters()) == ["0.W", "0.b", "2.b"]
    net.zero_grad()
    assert not twin._gradient["W"].any() and not tied._gradient["b"].any()


def test_errors(pair):
    twin, tied = pair
    with pytest.raises(TypeError, match="TiedLinear: twin must be a Linear, got TanH"):
        TiedLinear(TanH())
    with pytest.raises(ShapeError, match=r"TiedLinear.forward: X must have shape \(batch, 3\), got \(4, 5\)"):
        tied.forward(np.ones((4, 5)))
    with pytest.raises(ShapeError, match=r"TiedLinear.backward_update_gradient: delta must have shape "
                                         r"\(4, 5\) for an input of shape \(4, 3\), got \(4, 3\)"):
        tied.backward_update_gradient(np.ones((4, 3)), np.ones((4, 3)))
    with pytest.raises(ShapeError, match=r"TiedLinear.backward_delta: delta must have shape \(4, 5\) for an "
                                         r"input of shape \(4, 3\), got \(4, 2\)"):
        tied.backward_delta(np.ones((4, 3)), np.ones((4, 2)))


def test_config_rebuilds_a_layer_tied_to_the_same_twin(pair):
    twin, tied = pair
    rebuilt = type(tied)(**tied.get_config())
    assert rebuilt.twin is twin and rebuilt.bias
    assert "tied_to=Linear(input=5, output=3" in repr(tied)
    no_bias = TiedLinear(twin, bias=False)
    assert no_bias.parameters() == {}
    np.testing.assert_allclose(no_bias.forward(np.ones((2, 3))), np.ones((2, 3)) @ twin._parameters["W"].T)


def test_deepcopy_keeps_sharing_and_dtype_cast_follows(pair):
    twin, tied = pair
    net = copy.deepcopy(Sequential(twin, TanH(), tied)).to(np.float32)
    assert net[2].twin is net[0]
    assert net[2].forward(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
