"""Learning-rate schedules: the factor that multiplies the base learning rate, per epoch.

A schedule is called with the 0-based epoch index and returns a factor ``f``; the
``LRSchedule`` callback (what ``SGD(schedule=...)`` builds) trains epoch ``e`` with
``lr = base_lr * f(e)``. Any plain function ``epoch -> factor`` works too
(``schedule=lambda e: 0.5 ** (e // 10)``). ``ReduceLROnPlateau`` also watches a metric: the
callback calls ``observe(value)`` after each epoch.

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

from .callbacks import Callback

__all__ = ["SCHEDULES", "CosineLR", "ExponentialLR", "LRSchedule", "ReduceLROnPlateau", "Schedule",
           "StepLR"]


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

    def learning_rate(self, base_lr: float, epoch: int) -> float:
        """The learning rate of ``epoch``: ``base_lr * self(epoch)``."""
        return base_lr * self(epoch)

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
    """Decay by ``gamma`` each epoch: ``gamma ** e`` (``0.95 ** t`` in the course reports).

    Args:
        gamma: the factor per epoch, in (0, 1].
        chained: compute the learning rate of epoch ``e`` as the previous one times ``gamma``
            (``lr *= gamma`` after each epoch, as ``torch.optim.lr_scheduler.ExponentialLR``'s
            ``step`` does) instead of ``base_lr * gamma ** e``. The two differ in the last bit
            (measured: in 63 % of epochs 0-99 over 10 learning rates and 7 gammas);
            ``train_autoencoder``'s ``lr_decay`` is the chained form.
    """

    def __init__(self, gamma: float = 0.95, chained: bool = False):
        self.gamma = _fraction("ExponentialLR", "gamma", gamma)
        self.chained = bool(chained)

    def __call__(self, epoch):
        return self.gamma ** epoch

    def learning_rate(self, base_lr, epoch):
        if not self.chained:
            return base_lr * self(epoch)
        lr = base_lr
        for _ in range(epoch):
            lr *= self.gamma
        return lr

    def get_config(self):
        return {"gamma": self.gamma, **({"chained": True} if self.chained else {})}


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

    After each epoch ``LRSchedule`` calls ``observe(value)`` with the monitored metric (``SGD``'s
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


def scheduled_lr(schedule, base_lr: float, epoch: int) -> float:
    """The learning rate of ``epoch`` under ``schedule`` (a ``Schedule`` or a function)."""
    if isinstance(schedule, Schedule):
        return schedule.learning_rate(base_lr, epoch)
    return base_lr * schedule(epoch)


class LRSchedule(Callback):
    """Set the learning rate of each epoch from a schedule: ``lr = base_lr * schedule(epoch)``.

    At the start of each epoch the optimizer's ``lr`` is set; after it, a schedule that
    watches a metric (``ReduceLROnPlateau``) observes ``logs[monitor]``. The schedule's state
    is saved by training checkpoints.

    Args:
        schedule: a ``Schedule`` or a function ``epoch -> factor``.
        monitor: the entry of the epoch's logs that ``observe`` receives.
        base_lr: the learning rate the factors multiply; by default the optimizer's learning
            rate when training begins (``SGD``'s ``lr``/``eps``).
    """

    def __init__(self, schedule, monitor: str = "val_loss", base_lr: float | None = None):
        if not callable(schedule):
            raise TypeError(f"LRSchedule: schedule must be a Schedule or a function epoch -> factor, "
                            f"got {type(schedule).__name__}")
        self.schedule, self.monitor, self.base_lr = schedule, monitor, base_lr
        self._base = base_lr

    def _observes(self) -> bool:
        observe = getattr(type(self.schedule), "observe", None)
        return observe is not None and observe is not Schedule.observe

    def on_train_begin(self, net, history):
        self._base = self.base_lr if self.base_lr is not None else self.trainer.optim.lr

    def on_epoch_begin(self, epoch):
        self.trainer.optim.lr = scheduled_lr(self.schedule, self._base, epoch)

    def on_epoch_end(self, epoch, logs):
        if not self._observes():
            return
        if self.monitor not in logs:
            raise KeyError(f"LRSchedule: monitor {self.monitor!r} is not recorded; available: "
                           f"{sorted(logs)}")
        self.schedule.observe(logs[self.monitor])

    def state_dict(self) -> tuple[dict, dict]:
        return (self.schedule.state_dict() if hasattr(self.schedule, "state_dict") else {}), {}

    def load_state_dict(self, state: dict, arrays: dict) -> None:
        if hasattr(self.schedule, "load_state_dict"):
            self.schedule.load_state_dict(state)


SCHEDULES: dict[str, type[Schedule]] = {
    cls.__name__: cls for cls in (StepLR, ExponentialLR, CosineLR, ReduceLROnPlateau)}
"""Class name -> schedule class."""
