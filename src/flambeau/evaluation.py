"""Evaluating a network: ``predict``, ``evaluate``, and ``Metrics``, the callback that evaluates
after each epoch of training (validation loss, accuracy, F1...)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import check_bool, check_int, samples
from .callbacks import Callback
from .dtype import as_compute_dtype
from .losses import BCELoss, CrossEntropyLoss, NLLLoss
from .metrics import METRICS, accuracy
from .module import Loss, Module, check_loss, check_module

__all__ = ["Metrics", "evaluate", "is_classification", "metric_table", "predict"]


def predict(net: Module, X, batch_size: int = 1024) -> np.ndarray:
    """Network outputs for ``X`` in evaluation mode, by chunks of ``batch_size`` samples (no
    sample: the network's empty output, e.g. ``(0, 10)``)."""
    check_module("predict", "net", net)
    batch_size = check_int("predict", "batch_size", batch_size)
    X = samples("predict", "X", X)
    was_training = net.training
    net.eval()
    try:
        if net.dtype is not None:
            X = as_compute_dtype(X, net.dtype, "predict")
        outputs = [net.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
        return np.concatenate(outputs) if outputs else net.forward(X)
    finally:
        net.train(was_training)


def is_classification(loss: Loss, yhat: np.ndarray) -> bool:
    """Whether accuracy is meaningful for this loss and output (class or 0/1 targets)."""
    if isinstance(loss, (CrossEntropyLoss, NLLLoss)):
        return True
    return isinstance(loss, BCELoss) and yhat.ndim == 2 and yhat.shape[1] == 1


def evaluate(net: Module, loss: Loss, X, Y, batch_size: int = 1024,
             metrics: dict[str, Callable] | None = None) -> dict[str, float]:
    """Mean per-sample loss (and accuracy for classification, and each ``metrics`` entry) of
    ``net`` on ``(X, Y)``; metric functions are called ``f(Y, yhat)``."""
    check_loss("evaluate", "loss", loss)
    X, Y = samples("evaluate", "X", X), samples("evaluate", "Y", Y)
    if len(X) != len(Y) or not len(X):
        raise ValueError(f"evaluate: X and Y must hold the same number of samples, at least one, got "
                         f"{len(X)} and {len(Y)}")
    yhat = predict(net, X, batch_size)
    result = {"loss": float(np.mean(loss.forward(Y, yhat)))}
    if is_classification(loss, yhat):
        result["accuracy"] = accuracy(Y, yhat)
    for name, function in (metrics or {}).items():
        result[name] = float(function(Y, yhat))
    return result


def metric_table(metrics, where: str = "Metrics") -> dict[str, Callable]:
    """``metrics`` as ``{name: f(y, yhat)}``: names from ``flambeau.metrics.METRICS``,
    functions (named by ``__name__``) or a dict."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        items = list(metrics.items())
    elif isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
        raise TypeError(f"{where}: metrics must be a list of names or functions f(y, yhat), or a dict "
                        f"{{name: function}}, got {metrics!r:.100}")
    else:
        items = []
        for metric in metrics:
            if isinstance(metric, str):
                if metric not in METRICS:
                    raise ValueError(f"{where}: unknown metric {metric!r}; choose one of {sorted(METRICS)} "
                                     "or pass a function f(y, yhat)")
                items.append((metric, METRICS[metric]))
            elif callable(metric):
                items.append((getattr(metric, "__name__", type(metric).__name__), metric))
            else:
                raise TypeError(f"{where}: a metric must be a name or a function f(y, yhat), got {metric!r}")
    if any(name == "loss" for name, _ in items):
        raise ValueError(f"{where}: 'loss' is always recorded; give the metric another name")
    return dict(items)


class Metrics(Callback):
    """After each epoch, evaluate the network on ``(X, Y)`` and add ``<prefix>_<name>`` to the logs.

    Recorded: ``<prefix>_loss`` (the mean per-sample loss, whatever the training's reduction),
    ``<prefix>_accuracy`` for classification losses, and one entry per metric. Runs before the
    other callbacks (``order = -20``), so early stopping, schedules and the history see them.

    Args:
        X, Y: the data to evaluate on (validation data, or the training set).
        metrics: names of ``flambeau.metrics.METRICS`` (``"f1"``, ``"precision"``...),
            functions ``f(y, yhat)`` or a ``{name: function}`` dict.
        prefix: ``"val"`` gives ``val_loss``, ``val_f1``...; ``"train"`` gives ``train_f1``...
        record_loss: also record ``<prefix>_loss`` (off for the training set, whose
            ``train_loss`` is the running mean of the epoch's batches).
        loss: the loss to evaluate; the training loss by default.
        batch_size: samples per forward pass.
    """

    order = -20

    def __init__(self, X, Y, metrics=None, prefix: str = "val", record_loss: bool = True,
                 loss: Loss | None = None, batch_size: int = 1024):
        X, Y = samples("Metrics", "X", X), samples("Metrics", "Y", Y)
        if len(X) != len(Y) or not len(X):
            raise ValueError(f"Metrics: X and Y must hold the same number of samples, at least one, "
                             f"got {len(X)} and {len(Y)}")
        if not isinstance(prefix, str):
            raise TypeError(f"Metrics: prefix must be a string ('val', 'train'), got {prefix!r:.100}")
        self.X, self.Y, self.prefix = X, Y, prefix
        self.record_loss = check_bool("Metrics", "record_loss", record_loss)
        self.metrics = metric_table(metrics, "Metrics")
        self.loss = None if loss is None else check_loss("Metrics", "loss", loss)
        self.batch_size = check_int("Metrics", "batch_size", batch_size)

    def on_epoch_end(self, epoch, logs):
        loss = self.loss if self.loss is not None else self.trainer.loss
        scores = evaluate(self.trainer.net, loss, self.X, self.Y, self.batch_size, self.metrics)
        logs.update({f"{self.prefix}_{k}": v for k, v in scores.items()
                     if self.record_loss or k != "loss"})
