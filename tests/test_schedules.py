"""Learning-rate schedules against torch.optim.lr_scheduler (base learning rate 1)."""

from __future__ import annotations

import warnings

import pytest

from flambeau.schedules import SCHEDULES, CosineLR, ExponentialLR, ReduceLROnPlateau, StepLR
from tests.helpers import torch


def torch_factors(make_scheduler, epochs, values=None):
    t = torch()
    optimizer = t.optim.SGD([t.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = make_scheduler(t.optim.lr_scheduler, optimizer)
    factors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step() without an optimizer step
        for epoch in range(epochs):
            factors.append(optimizer.param_groups[0]["lr"])
            if values is None:
                scheduler.step()
            else:
                scheduler.step(values[epoch])
    return factors


def test_step_lr_matches_torch():
    ours = StepLR(3, gamma=0.5)
    theirs = torch_factors(lambda s, o: s.StepLR(o, step_size=3, gamma=0.5), 10)
    assert [ours(e) for e in range(10)] == pytest.approx(theirs, rel=1e-12)


def test_exponential_chained_is_repeated_multiplication_as_torch_steps():
    t = torch()
    chained, closed = ExponentialLR(0.95, chained=True), ExponentialLR(0.95)
    lrs, lr = [], 3e-3
    for _ in range(30):
        lrs.append(lr)
        lr *= 0.95
    assert [chained.learning_rate(3e-3, e) for e in range(30)] == lrs
    assert [closed.learning_rate(3e-3, e) for e in range(30)] == [3e-3 * 0.95 ** e for e in range(30)]
    assert lrs != [3e-3 * 0.95 ** e for e in range(30)]  # the two differ in the last bit
    optimizer = t.optim.SGD([t.zeros(1, requires_grad=True)], lr=3e-3)
    scheduler = t.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
    theirs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(30):
            theirs.append(optimizer.param_groups[0]["lr"])
            scheduler.step()
    assert theirs == lrs
    assert repr(chained) == "ExponentialLR(gamma=0.95, chained=True)"


def test_exponential_is_the_reports_decay():
    ours = ExponentialLR(0.95)
    assert [ours(e) for e in range(4)] == pytest.approx([1, 0.95, 0.95 ** 2, 0.95 ** 3])
    theirs = torch_factors(lambda s, o: s.ExponentialLR(o, gamma=0.95), 12)
    assert [ours(e) for e in range(12)] == pytest.approx(theirs, rel=1e-12)


def test_cosine_matches_torch_then_stays_flat():
    ours = CosineLR(8, min_factor=0.1)
    theirs = torch_factors(lambda s, o: s.CosineAnnealingLR(o, T_max=8, eta_min=0.1), 9)
    assert [ours(e) for e in range(9)] == pytest.approx(theirs, rel=1e-9)
    assert ours(20) == pytest.approx(0.1)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_matches_torch(mode):
    values = [5, 4, 4.5, 4.2, 4.1, 3.0, 3.5, 3.6, 3.7, 3.8, 2.0, 2.5]
    if mode == "max":
        values = [-v for v in values]
    ours = ReduceLROnPlateau(factor=0.5, patience=1, mode=mode, threshold=0.01)
    factors = []
    for value in values:
        factors.append(ours(0))
        ours.observe(value)
    theirs = torch_factors(lambda s, o: s.ReduceLROnPlateau(o, mode=mode, factor=0.5, patience=1,
                                                            threshold=0.01), len(values), values)
    assert factors == pytest.approx(theirs)
    assert min(factors) < 1


def test_plateau_state_round_trip_and_floor():
    a = ReduceLROnPlateau(factor=0.1, patience=0, min_factor=0.05)
    for value in (3, 3, 3):
        a.observe(value)
    assert a(0) == 0.05
    b = ReduceLROnPlateau(factor=0.1, patience=0, min_factor=0.05)
    b.load_state_dict(a.state_dict())
    assert (b(0), b.best, b.bad_epochs) == (a(0), a.best, a.bad_epochs)


@pytest.mark.parametrize("make, message", [
    (lambda: StepLR(0), "StepLR: step_size must be a positive int, got 0"),
    (lambda: StepLR(2, gamma=2), "StepLR: gamma must lie in (0, 1], got 2"),
    (lambda: ExponentialLR(0), "ExponentialLR: gamma must lie in (0, 1], got 0"),
    (lambda: CosineLR(1.5), "CosineLR: t_max must be a positive int, got 1.5"),
    (lambda: CosineLR(5, min_factor=2), "CosineLR: min_factor must lie in [0, 1], got 2"),
    (lambda: ReduceLROnPlateau(factor=1), "ReduceLROnPlateau: factor must lie in (0, 1), got 1"),
    (lambda: ReduceLROnPlateau(mode="up"), "ReduceLROnPlateau: mode must be 'min' or 'max', got 'up'"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_registry_rebuilds_from_config():
    for schedule in (StepLR(4, 0.3), ExponentialLR(0.9), CosineLR(7, 0.2), ReduceLROnPlateau(0.3, 2)):
        rebuilt = SCHEDULES[type(schedule).__name__](**schedule.get_config())
        assert repr(rebuilt) == repr(schedule)
    assert repr(StepLR(4, 0.5)) == "StepLR(step_size=4, gamma=0.5)"
