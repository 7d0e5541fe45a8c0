"""Update rules against ``torch.optim``, step by step, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau.rules import RULES, Adam, AdamW, GradientDescent, Momentum, RMSprop, UpdateRule
from tests.helpers import assert_close, torch

CASES = [
    (GradientDescent(), "SGD", {}),
    (GradientDescent(weight_decay=0.1), "SGD", {"weight_decay": 0.1}),
    (Momentum(0.9), "SGD", {"momentum": 0.9}),
    (Momentum(0.8, nesterov=True, weight_decay=0.05), "SGD",
     {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    (RMSprop(), "RMSprop", {}),
    (RMSprop(alpha=0.9, eps=1e-6, weight_decay=0.02), "RMSprop",
     {"alpha": 0.9, "eps": 1e-6, "weight_decay": 0.02}),
    (Adam(), "Adam", {}),
    (Adam(betas=(0.8, 0.99), eps=1e-7, weight_decay=0.03), "Adam",
     {"betas": (0.8, 0.99), "eps": 1e-7, "weight_decay": 0.03}),
    (AdamW(), "AdamW", {}),
    (AdamW(weight_decay=0.2), "AdamW", {"weight_decay": 0.2}),
]


@pytest.mark.parametrize("rule, torch_name, torch_kwargs", CASES, ids=[repr(c[0]) for c in CASES])
def test_rule_matches_torch_optim_step_by_step(rule, torch_name, torch_kwargs, rng):
    t = torch()
    lr = 0.05
    params = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=(3,))}
    theirs = [t.tensor(p.copy(), requires_grad=True) for p in params.values()]
    optimizer = getattr(t.optim, torch_name)(theirs, lr=lr, **torch_kwargs)
    for step in range(6):
        grads = {name: rng.normal(size=p.shape) for name, p in params.items()}
        rule.step(params, grads, lr)
        for tensor, grad in zip(theirs, grads.values(), strict=True):
            tensor.grad = t.tensor(grad)
        optimizer.step()
        for (name, ours), tensor in zip(params.items(), theirs, strict=True):
            assert_close(ours, tensor, f"{rule!r} {name} after step {step + 1}", rtol=1e-10)


@pytest.mark.parametrize("cls", [Momentum, RMSprop, Adam, AdamW])
def test_state_dict_round_trip_continues_identically(cls, rng):
    params = {"W": rng.normal(size=(3, 2))}
    grads = [{"W": rng.normal(size=(3, 2))} for _ in range(4)]
    a = cls()
    for g in grads[:2]:
        a.step(params, g, 0.1)
    b = cls()
    b.load_state_dict(a.state_dict())
    pa, pb = {"W": params["W"].copy()}, {"W": params["W"].copy()}
    for g in grads[2:]:
        a.step(pa, g, 0.1)
        b.step(pb, g, 0.1)
    np.testing.assert_array_equal(pa["W"], pb["W"])
    assert b.t == 4


def test_state_is_keyed_by_parameter_name(rng):
    rule = Adam()
    rule.step({"0.W": np.zeros(2), "2.W": np.zeros(3)}, {"0.W": np.ones(2), "2.W": np.ones(3)}, 0.1)
    assert sorted(rule.state["m"]) == ["0.W", "2.W"]
    assert sorted(rule.state_dict()) == ["m:0.W", "m:2.W", "t", "v:0.W", "v:2.W"]


def test_step_updates_in_place():
    W = np.ones(3)
    GradientDescent().step({"W": W}, {"W": np.ones(3)}, 0.5)
    np.testing.assert_array_equal(W, [0.5, 0.5, 0.5])


@pytest.mark.parametrize("make, message", [
    (lambda: Momentum(beta=1.0), "Momentum: beta must lie in [0, 1), got 1.0"),
    (lambda: RMSprop(alpha=-0.1), "RMSprop: alpha must lie in [0, 1), got -0.1"),
    (lambda: Adam(betas=(0.9,)), "Adam: betas must be a pair (b1, b2), got (0.9,)"),
    (lambda: Adam(eps=-1), "Adam: eps must be a finite number >= 0, got -1"),
    (lambda: GradientDescent(weight_decay=float("nan")),
     "GradientDescent: weight_decay must be a finite number >= 0, got nan"),
])
def test_bad_arguments_fail_in_constructor(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_unknown_state_slot_is_refused():
    with pytest.raises(ValueError, match="Adam.load_state_dict: unknown state slot 'velocity'"):
        Adam().load_state_dict({"t": np.array(1), "velocity:W": np.zeros(2)})


def test_registry_and_config_rebuild():
    assert sorted(RULES) == ["Adam", "AdamW", "GradientDescent", "Momentum", "RMSprop"]
    for rule in (Momentum(0.5, True, 0.1), RMSprop(0.9, 1e-6), Adam((0.8, 0.9)), AdamW(weight_decay=0.3)):
        rebuilt = RULES[type(rule).__name__](**rule.get_config())
        assert rebuilt.get_config() == rule.get_config()
    assert repr(Momentum(0.5)) == "Momentum(beta=0.5, nesterov=False)"
    assert issubclass(Adam, UpdateRule)
