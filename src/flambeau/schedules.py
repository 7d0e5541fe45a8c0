"""Learning-rate schedules: the factor that multiplies the base learning rate, per epoch.

A schedule is called with the 0-based epoch index and returns a factor ``f``; ``SGD`` trains
epoch ``e`` with ``lr = eps * f(e)``. Any plain function ``epoch -> factor`` works too
(``schedule=lambda e: 0.5 ** (e // 10)``). ``ReduceLROnPlateau`` also watches a metric: the
loop calls ``observe(value)`` after each epoch.

=====================  ==============================================================
schedule               factor at epoch ``e``
=====================  ==============================================================
``StepLR(s, g)``       ``g ** (e // s)``
``ExponentialLR(g)``   ``g ** e`` (the reports' ``0.95 ** t`` decay)
``CosineLR(T, m)``     ``m + (1 - m) (1 + cos(pi min(e, T) / T)) / 2``
``ReduceLROnPlateau``  multiplied by ``factor`` after ``patience`` epochs without improvement
=====================  ==============================================================
"""

from __future__ import annotations

import math

__all__ = ["SCHEDULES", "CosineLR", "ExponentialLR", "ReduceLROnPlateau", "Schedule", "StepLR"]


def _positive(where: str, name: str, value, integer: bool = False):
    ok = (isinstance(value, int) and not isinstance(value, bool)) if integer else \
        isinstance(value, (int, float))
    if not ok or not math.isfinite(value) or value <= 0:
        kind = "a positive int" if integer else "a positive number"
        raise ValueError(f"{where}: {name} must be {kind}, got {value!r}")
    return value


def _fraction(where: str, name: str, value) -> float:
    if not (isinstance(value, (int, float)) and 0 < value <= 1):
        raise ValueError(f"{where}: {name} must lie in (0, 1], got {value!r}")
    return float(value)


class Schedule:
    """Base class: ``schedule(epoch) -> factor``; stateful schedules save ``state_dict()``."""

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__")

    def observe(self, value: float) -> None:
        """Record the end-of-epoch value of the watched metric (no-op by default)."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class StepLR(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs: ``gamma ** (e // s)``."""

    def __init__(self, step_size: int, gamma: float = 0.1):
        self.step_size = _positive("StepLR", "step_size", step_size, integer=True)
        self.gamma = _fraction("StepLR", "gamma", gamma)

    def __call__(self, epoch):
        return self.gamma ** (epoch // self.step_size)

    def get_config(self):
        return {"step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(Schedule):
    """Decay by ``gamma`` each epoch: ``gamma ** e`` (``0.95 ** t`` in the course reports)."""

    def __init__(self, gamma: float = 0.95):
        self.gamma = _fraction("ExponentialLR", "gamma", gamma)

    def __call__(self, epoch):
        return self.gamma ** epoch

    def get_config(self):
        return {"gamma": self.gamma}


class CosineLR(Schedule):
    """Cosine annealing from 1 to ``min_factor`` over ``t_max`` epochs, then flat.

    ``f(e) = m + (1 - m) (1 + cos(pi min(e, T) / T)) / 2`` (PyTorch's ``CosineAnnealingLR``
    with ``eta_min = m * lr``, without restarts).
    """

    def __init__(self, t_max: int, min_factor: float = 0.0):
        self.t_max = _positive("CosineLR", "t_max", t_max, integer=True)
        if not (isinstance(min_factor, (int, float)) and 0 <= min_factor <= 1):
            raise ValueError(f"CosineLR: min_factor must lie in [0, 1], got {min_factor!r}")
        self.min_factor = float(min_factor)

    def __call__(self, epoch):
        progress = min(epoch, self.t_max) / self.t_max
        return self.min_factor + (1 - self.min_factor) * (1 + math.cos(math.pi * progress)) / 2

    def get_config(self):
        return {"t_max": self.t_max, "min_factor": self.min_factor}


class ReduceLROnPlateau(Schedule):
    """Multiply the factor by ``factor`` when the watched metric stops improving.

    After each epoch the loop calls ``observe(value)`` with the monitored metric (``SGD``'s
    ``monitor``, the validation loss by default). An improvement is a value below
    ``best * (1 - threshold)`` (``mode="min"``) or above ``best * (1 + threshold)``
    (``mode="max"``); after ``patience`` epochs without one, the factor is reduced (never
    below ``min_factor``) and the count restarts.

    Args:
        factor: multiplier applied at each reduction, in (0, 1).
        patience: epochs without improvement tolerated.
        mode: ``"min"`` (losses) or ``"max"`` (accuracies).
        threshold: relative improvement needed.
        min_factor: lower bound of the factor.
    """

    def __init__(self, factor: float = 0.1, patience: int = 10, mode: str = "min",
                 threshold: float = 1e-4, min_factor: float = 0.0):
        if not (isinstance(factor, (int, float)) and 0 < factor < 1):
            raise ValueError(f"ReduceLROnPlateau: factor must lie in (0, 1), got {factor!r}")
        if not (isinstance(patience, int) and patience >= 0):
            raise ValueError(f"ReduceLROnPlateau: patience must be an int >= 0, got {patience!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        self.factor, self.patience, self.mode = float(factor), patience, mode
        self.threshold, self.min_factor = float(threshold), float(min_factor)
        self.current, self.best, self.bad_epochs = 1.0, None, 0

    def __call__(self, epoch):
        return self.current

    def _improves(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - abs(self.best) * self.threshold
        return value > self.best + abs(self.best) * self.threshold

    def observe(self, value):
        if self._improves(value):
            self.best, self.bad_epochs = float(value), 0
            return
        self.bad_epochs += 1
        if self.bad_epochs > self.patience:
            self.current = max(self.current * self.factor, self.min_factor)
            self.bad_epochs = 0

    def state_dict(self):
        return {"current": self.current, "best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state):
        self.current, self.best = float(state["current"]), state["best"]
        self.bad_epochs = int(state["bad_epochs"])

    def get_config(self):
        return {"factor": self.factor, "patience": self.patience, "mode": self.mode,
                "threshold": self.threshold, "min_factor": self.min_factor}


SCHEDULES: dict[str, type[Schedule]] = {
    cls.__name__: cls for cls in (StepLR, ExponentialLR, CosineLR, ReduceLROnPlateau)}
"""Class name -> schedule class."""
