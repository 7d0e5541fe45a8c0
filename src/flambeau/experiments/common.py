"""Building blocks shared by the studies: MLP builder, training call, classification metrics."""

from __future__ import annotations

import time

import numpy as np

from .. import layers, metrics
from ..containers import Sequential
from ..layers import Linear
from ..training import SGD

__all__ = ["ACTIVATIONS", "classification_metrics", "mlp", "spread", "timed_sgd"]

ACTIVATIONS = {"tanh": layers.TanH, "relu": layers.ReLU, "sigmoid": layers.Sigmoid,
               "leakyrelu": layers.LeakyReLU, "identity": layers.Identity}


def mlp(sizes, activation="tanh", output=None, rng=None, init: str = "uniform") -> Sequential:
    """``Linear(sizes[0], sizes[1]) -> act -> ... -> Linear(sizes[-2], sizes[-1]) [-> output]``.

    Args:
        sizes: layer widths, input first.
        activation: a name of ``ACTIVATIONS`` or one name per hidden layer.
        output: ``None`` or a name of ``ACTIVATIONS`` / ``"softmax"`` / ``"logsoftmax"``.
        rng: seed or Generator for the weights.
    """
    names = [activation] * (len(sizes) - 2) if isinstance(activation, str) else list(activation)
    if len(names) != len(sizes) - 2:
        raise ValueError(f"mlp: need {len(sizes) - 2} hidden activations, got {len(names)}")
    heads = {**ACTIVATIONS, "softmax": layers.Softmax, "logsoftmax": layers.LogSoftmax}
    for name in [*names, *([output] if output else [])]:
        if name not in heads:
            raise ValueError(f"mlp: unknown activation {name!r}; known: {sorted(heads)}")
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        modules.append(Linear(int(n_in), int(n_out), init=init, rng=rng))
        if i < len(names):
            modules.append(heads[names[i]]())
    if output:
        modules.append(heads[output]())
    return Sequential(modules)


def timed_sgd(net, loss, X, y, **kwargs):
    """``SGD`` plus the wall time in seconds: ``(history, seconds)``."""
    start = time.perf_counter()
    history = SGD(net, loss, X, y, **kwargs)
    return history, time.perf_counter() - start


def classification_metrics(y_true, scores, n_classes: int | None = None) -> dict:
    """Accuracy, macro precision/recall/F1 and the confusion matrix from outputs ``(n, k)``."""
    return {"accuracy": metrics.accuracy(y_true, scores), **metrics.precision_recall_f1(y_true, scores),
            "confusion_matrix": metrics.confusion_matrix(y_true, scores, n_classes)}


def spread(values) -> dict:
    """Mean, standard deviation (population, ``ddof=0``), median, min, max and the raw values of a
    list of numbers."""
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), "median": float(np.median(values)),
            "min": float(values.min()), "max": float(values.max()), "values": values.tolist()}

