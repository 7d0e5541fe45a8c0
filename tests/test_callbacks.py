"""Callbacks: EarlyStopping's rules (patience, modes, min_delta, state) and function hooks."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import Linear
from flambeau.callbacks import (
    Callback,
    EarlyStopping,
    LambdaCallback,
    StopTraining,
    as_callback,
    monitor_mode,
    wants_batches,
)
from flambeau.schedules import ExponentialLR, LRSchedule


def feed(stopper, values, net=None):
    """Run ``values`` through ``on_epoch_end``; return the epoch at which it stopped (or None)."""
    stopper.on_train_begin(net or Linear(2, 2, rng=0), {})
    for epoch, value in enumerate(values):
        try:
            stopper.on_epoch_end(epoch, {"val_loss": value, "val_accuracy": value})
        except StopTraining:
            return epoch
    return None


def test_patience_counts_epochs_without_improvement():
    assert feed(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.91]) == 3
    assert feed(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.8, 0.85]) is None
    assert feed(EarlyStopping(patience=0), [1.0, 1.0]) == 1


def test_modes_and_min_delta():
    assert monitor_mode("val_loss") == "min" and monitor_mode("val_f1") == "max"
    stopper = EarlyStopping(patience=1, monitor="val_accuracy")
    assert feed(stopper, [0.5, 0.6, 0.55, 0.58]) == 2
    assert stopper.best == 0.6 and stopper.best_epoch == 1
    assert feed(EarlyStopping(patience=1, min_delta=0.05), [1.0, 0.97, 0.96]) == 1
    assert feed(EarlyStopping(patience=1), [1.0, 0.97, 0.96]) is None


def test_first_value_nan_is_not_a_best():
    stopper = EarlyStopping(patience=5)
    feed(stopper, [float("nan"), 2.0])
    assert stopper.best == 2.0 and stopper.best_epoch == 1


def test_restores_best_weights_and_state_round_trip():
    net = Linear(2, 2, rng=0)
    stopper = EarlyStopping(patience=3)
    stopper.on_train_begin(net, {})
    stopper.on_epoch_end(0, {"val_loss": 1.0})
    best = net.parameters()["W"].copy()
    net.parameters()["W"][...] = 7.0
    stopper.on_epoch_end(1, {"val_loss": 2.0})
    copy = EarlyStopping(patience=3)
    copy.load_state_dict(*stopper.state_dict())
    assert (copy.best, copy.best_epoch, copy.wait) == (1.0, 0, 1)
    copy.on_train_end(net, {})
    np.testing.assert_array_equal(net.parameters()["W"], best)


@pytest.mark.parametrize("kwargs, message", [
    ({"patience": -1}, "EarlyStopping: patience must be an int >= 0, got -1"),
    ({"mode": "lowest"}, "EarlyStopping: mode must be 'min', 'max' or 'auto', got 'lowest'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        EarlyStopping(**kwargs)
    assert str(info.value) == message


def test_batch_hook_detection_and_lambda():
    class Epochs(Callback):
        def on_epoch_end(self, epoch, logs):
            pass

    class Batches(Callback):
        def on_batch_end(self, epoch, batch, loss):
            pass

    assert not wants_batches(Epochs()) and wants_batches(Batches())
    seen = []
    LambdaCallback(lambda e, logs: seen.append((e, logs["x"]))).on_epoch_end(4, {"x": 1})
    assert seen == [(4, 1)]


def test_as_callback_wraps_functions_and_refuses_the_rest():
    stopper = EarlyStopping()
    assert as_callback(stopper) is stopper
    assert isinstance(as_callback(lambda e, logs: None), LambdaCallback)
    with pytest.raises(TypeError, match=r"SGD: a callback must be a Callback or a function "
                                        r"f\(epoch, logs\), got int"):
        as_callback(3)


def test_lr_schedule_errors():
    with pytest.raises(TypeError, match="LRSchedule: schedule must be a Schedule or a function"):
        LRSchedule(0.95)
    assert LRSchedule(ExponentialLR(0.5)).state_dict() == ({}, {})
