"""Training-loop callbacks: hooks called by the training loop around epochs and batches.

The loop (``flambeau.training.Trainer``, behind ``SGD`` and ``train_autoencoder``) does only
the course's work: shuffle, step through the mini-batches, check the loss is finite. Every
option is a callback, as in Keras or Lua torch's ``StochasticGradient.hookIteration``:

=====================================  =========================================  =====
callback                               what it does                               order
=====================================  =========================================  =====
``flambeau.evaluation.Metrics``        adds ``val_loss``, ``val_<metric>``... to     -20
                                       the epoch's logs
``flambeau.training.History``          records the logs (always present)            -10
``flambeau.schedules.LRSchedule``      sets the learning rate of each epoch           0
``EarlyStopping``                      stops when a metric stops improving            0
``LambdaCallback`` / your callbacks    anything                                       0
``ProgressBar``                        a tqdm bar over epochs                        10
``flambeau.checkpoint.Checkpoint``     saves the run (resumable)                     20
=====================================  =========================================  =====

Callbacks run by increasing ``order``, then in the order given: measurements first (the
callbacks that follow see them in ``logs`` and in the history), saving last (it saves what
the others did). A callback overrides any ``Callback`` hook; ``on_batch_end`` is only called
for callbacks that override it, so the loop stays free of per-batch work otherwise. A plain
function ``f(epoch, logs)`` given in ``callbacks=`` is called at the end of each epoch.
Raising ``StopTraining`` from a hook ends training cleanly after the current epoch.

Callbacks that hold state needed to resume a run exactly (``EarlyStopping``, ``LRSchedule``)
implement ``state_dict() -> (json_dict, arrays)`` and ``load_state_dict(json_dict, arrays)``;
training checkpoints save them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

__all__ = ["Callback", "EarlyStopping", "LambdaCallback", "ProgressBar", "StopTraining", "as_callback",
           "monitor_mode", "wants_batches"]


class StopTraining(Exception):  # noqa: N818 -- a signal, not an error
    """Raised by a callback to end training after the current epoch."""


def monitor_mode(monitor: str) -> str:
    """``"min"`` for a loss (``"val_loss"``), ``"max"`` for anything else (accuracy, F1)."""
    return "min" if monitor.endswith("loss") else "max"


class Callback:
    """Base class: every hook does nothing.

    Hooks, in call order: ``on_train_begin(net, history)``, then per epoch
    ``on_epoch_begin(epoch)``, ``on_batch_end(epoch, batch, loss)`` after each update (only if
    overridden; ``loss`` is the batch's mean per-sample loss), ``on_epoch_end(epoch, logs)``
    with ``logs`` the epoch's record (``train_loss``, ``val_loss``, ``lr``, ...); finally
    ``on_train_end(net, history)``. ``epoch`` is 0-based.

    Before ``on_train_begin`` the loop sets ``self.trainer`` (``flambeau.training.Trainer``):
    the run in progress, with ``net``, ``loss``, ``optim`` (its ``lr`` is the learning rate),
    ``rng``, ``history``, ``epochs``, ``first_epoch`` (after a resume), ``callbacks`` and
    ``stop_training`` (True once a callback raised ``StopTraining`` in this epoch).

    Attributes:
        order: when the callback runs among the others (see the module's table).
    """

    order = 0
    trainer = None

    def set_trainer(self, trainer) -> None:
        self.trainer = trainer

    def on_train_begin(self, net, history) -> None:
        pass

    def on_epoch_begin(self, epoch: int) -> None:
        pass

    def on_batch_end(self, epoch: int, batch: int, loss: float) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        pass

    def on_train_end(self, net, history) -> None:
        pass


class LambdaCallback(Callback):
    """Wrap a function ``f(epoch, logs)`` as an ``on_epoch_end`` hook."""

    def __init__(self, on_epoch_end):
        self.function = on_epoch_end

    def on_epoch_end(self, epoch, logs):
        self.function(epoch, logs)


def as_callback(callback, where: str = "SGD") -> Callback:
    """``callback`` itself, or a function ``f(epoch, logs)`` wrapped as a ``LambdaCallback``."""
    if isinstance(callback, Callback):
        return callback
    if callable(callback):
        return LambdaCallback(callback)
    raise TypeError(f"{where}: a callback must be a Callback or a function f(epoch, logs), "
                    f"got {type(callback).__name__}")


def wants_batches(callback: Callback) -> bool:
    """Whether ``callback`` overrides ``on_batch_end`` (the loop skips it otherwise)."""
    return type(callback).on_batch_end is not Callback.on_batch_end


class ProgressBar(Callback):
    """A tqdm bar over epochs, with the epoch's losses and validation scores after it.

    Args:
        desc: the bar's label; the training loops say there which gradient is followed and
            that the losses shown are means per sample.
        show: ``show(key) -> bool``: which entries of the logs to display (default:
            ``train_loss`` and every ``val_*``).
    """

    order = 10

    def __init__(self, desc: str = "training (losses: means per sample)",
                 show: Callable[[str], bool] | None = None):
        self.desc = desc
        self.show = show if show is not None else (lambda key: key == "train_loss" or key.startswith("val_"))
        self.bar = None

    def on_train_begin(self, net, history):
        trainer = self.trainer
        self.bar = tqdm(total=trainer.epochs, initial=trainer.first_epoch, desc=self.desc, unit="epoch",
                        leave=False)

    def on_epoch_end(self, epoch, logs):
        self.bar.update(1)
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if self.show(k)})

    def on_train_end(self, net, history):
        if self.bar is not None:
            self.bar.close()


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; restore the best weights.

    An improvement is a value below ``best - min_delta`` (``mode="min"``) or above
    ``best + min_delta`` (``mode="max"``). With ``restore_best``, the parameters and buffers of
    the best epoch are copied back into the network when training ends (stopped early or not).

    Args:
        patience: epochs without improvement before stopping (>= 0).
        monitor: key of the epoch record to watch (``"val_loss"``, ``"val_accuracy"``...).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (``monitor_mode(monitor)``).
        min_delta: smallest change counted as an improvement.
        restore_best: copy the best epoch's weights back at the end.

    Attributes:
        best, best_epoch: best value seen and its 0-based epoch; ``stopped_epoch`` (or None).
    """

    def __init__(self, patience: int = 5, monitor: str = "val_loss", mode: str = "auto",
                 min_delta: float = 0.0, restore_best: bool = True):
        if not (isinstance(patience, int) and patience >= 0):
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if mode not in ("min", "max", "auto"):
            raise ValueError(f"EarlyStopping: mode must be 'min', 'max' or 'auto', got {mode!r}")
        self.patience, self.monitor, self.min_delta = patience, monitor, float(min_delta)
        self.mode = monitor_mode(monitor) if mode == "auto" else mode
        self.restore_best = bool(restore_best)
        self.best, self.best_epoch, self.wait, self.stopped_epoch = None, None, 0, None
        self.best_weights: dict[str, np.ndarray] = {}
        self._net = None

    def on_train_begin(self, net, history):
        self._net = net

    def _improves(self, value: float) -> bool:
        if self.best is None:
            return math.isfinite(value)
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs):
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: monitor {self.monitor!r} is not recorded; available: "
                           f"{sorted(logs)}")
        value = float(logs[self.monitor])
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_weights = _snapshot(self._net)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            raise StopTraining(f"{self.monitor} has not improved for {self.wait} epochs")

    def on_train_end(self, net, history):
        if self.restore_best and self.best_weights:
            _restore(net, self.best_weights)
        if hasattr(history, "best_epoch"):
            history.best_epoch = self.best_epoch

    def state_dict(self) -> tuple[dict, dict[str, np.ndarray]]:
        state = {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                 "stopped_epoch": self.stopped_epoch}
        return state, dict(self.best_weights)

    def load_state_dict(self, state: dict, arrays: dict[str, np.ndarray]) -> None:
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.wait, self.stopped_epoch = int(state["wait"]), state["stopped_epoch"]
        self.best_weights = {k: np.array(v) for k, v in arrays.items()}


def _snapshot(net) -> dict[str, np.ndarray]:
    """Copies of the parameters (``param:<name>``) and buffers (``buffer:<name>``)."""
    arrays = {f"param:{k}": v.copy() for k, v in net.parameters().items()}
    arrays.update({f"buffer:{k}": v.copy() for k, v in net.buffers().items()})
    return arrays


def _restore(net, arrays: dict[str, np.ndarray]) -> None:
    live = {f"param:{k}": v for k, v in net.parameters().items()}
    live.update({f"buffer:{k}": v for k, v in net.buffers().items()})
    for key, value in arrays.items():
        live[key][...] = value
