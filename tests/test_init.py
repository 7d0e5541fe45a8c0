"""Initialisers: statistics of seeded draws, PyTorch's bounds, names and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flambeau import Linear
from flambeau.init import INITIALIZERS, init_bias, init_weight
from tests.helpers import torch

FAN_IN, FAN_OUT = 300, 200
SHAPE = (FAN_IN, FAN_OUT)

# name -> (kind, bound for uniform / standard deviation for normal)
EXPECTED = {
    "uniform": ("uniform", 1 / math.sqrt(FAN_IN)),
    "xavier": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN)),
    "xavier_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "he": ("normal", math.sqrt(2 / FAN_IN)),
    "normal": ("normal", 0.1),
}
ALIASES = {"glorot": "xavier", "glorot_normal": "xavier_normal", "kaiming": "he",
           "kaiming_uniform": "he_uniform"}


def draw(name, seed=0):
    return init_weight(name, SHAPE, FAN_IN, FAN_OUT, np.random.default_rng(seed), np.float64, "test")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_draw_statistics(name):
    W = draw(name)
    kind, scale = EXPECTED[name]
    assert abs(W.mean()) < 5 * W.std() / math.sqrt(W.size)  # five standard errors
    if kind == "uniform":
        assert W.max() <= scale and W.min() >= -scale
        assert W.max() > 0.99 * scale and W.min() < -0.99 * scale
        assert W.std() == pytest.approx(scale / math.sqrt(3), rel=0.02)
    else:
        assert W.std() == pytest.approx(scale, rel=0.02)
        kurtosis = ((W - W.mean()) ** 4).mean() / W.var() ** 2
        assert kurtosis == pytest.approx(3.0, abs=0.1)  # a uniform draw would give 1.8


def test_every_name_is_covered():
    assert sorted(INITIALIZERS) == sorted([*EXPECTED, *ALIASES, "zeros"])
    for alias, name in ALIASES.items():
        np.testing.assert_array_equal(draw(alias), draw(name))
    assert not draw("zeros").any()


@pytest.mark.parametrize("name, torch_init", [
    ("xavier", lambda t, w: t.nn.init.xavier_uniform_(w)),
    ("xavier_normal", lambda t, w: t.nn.init.xavier_normal_(w)),
    ("he", lambda t, w: t.nn.init.kaiming_normal_(w, nonlinearity="relu")),
    ("he_uniform", lambda t, w: t.nn.init.kaiming_uniform_(w, nonlinearity="relu")),
])
def test_same_spread_as_torch_init(name, torch_init):
    t = torch()
    t.manual_seed(0)
    theirs = t.empty(FAN_OUT, FAN_IN, dtype=t.float64)  # torch stores (out, in)
    torch_init(t, theirs)
    assert draw(name).std() == pytest.approx(float(theirs.std()), rel=0.03)


def test_default_matches_torch_linear_bounds():
    t = torch()
    t.manual_seed(0)
    reference = t.nn.Linear(FAN_IN, FAN_OUT).double()
    layer = Linear(FAN_IN, FAN_OUT, rng=0, dtype=np.float64)
    W, b = layer.parameters()["W"], layer.parameters()["b"]
    bound = 1 / math.sqrt(FAN_IN)
    for ours, theirs in ((W, reference.weight), (b, reference.bias)):
        theirs = theirs.detach().numpy()
        assert np.abs(ours).max() <= bound and np.abs(theirs).max() <= bound
        assert ours.std() == pytest.approx(theirs.std(), rel=0.1)


def test_seeded_and_reproducible():
    np.testing.assert_array_equal(draw("he", seed=3), draw("he", seed=3))
    assert not np.array_equal(draw("he", seed=3), draw("he", seed=4))
    a, b = Linear(5, 4, init="xavier", rng=1), Linear(5, 4, init="xavier", rng=1)
    np.testing.assert_array_equal(a.parameters()["W"], b.parameters()["W"])


def test_biases():
    rng = np.random.default_rng(0)
    b = init_bias("uniform", (5000,), 100, rng, np.float32)
    assert b.dtype == np.float32 and np.abs(b).max() <= 0.1 and np.abs(b).max() > 0.099
    assert init_bias("normal", (5000,), 100, rng, np.float64).std() == pytest.approx(0.1, rel=0.05)
    assert not init_bias("he", (5,), 100, rng, np.float32).any()


def test_linear_takes_the_name_and_dtype():
    layer = Linear(400, 300, init="he", rng=0)
    assert layer.parameters()["W"].dtype == np.float32
    assert layer.parameters()["W"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert repr(layer) == "Linear(input=400, output=300, bias=True, init='he')"


def test_unknown_name():
    with pytest.raises(ValueError) as info:
        Linear(3, 2, init="orthogonal")
    assert str(info.value) == f"Linear: unknown init 'orthogonal'; choose one of {sorted(INITIALIZERS)}"
