"""The mini-batch training loop of the course: ``SGD(net, loss, X, Y, ...)``."""

from __future__ import annotations

import math
import time

import numpy as np
from tqdm.auto import tqdm

from .dtype import as_compute_dtype
from .losses import BCELoss, CrossEntropyLoss, NLLLoss
from .metrics import accuracy
from .module import Loss, Module
from .optim import Optim
from .random import make_rng

__all__ = ["DivergenceError", "History", "SGD", "evaluate", "predict"]


class DivergenceError(FloatingPointError):
    """The training loss became NaN or infinite."""


class History(dict):
    """Per-epoch records: ``history["train_loss"][e]``, ``history["val_accuracy"][e]``, ..."""

    def append(self, **values) -> None:
        for key, value in values.items():
            self.setdefault(key, []).append(value)

    @property
    def epochs(self) -> int:
        return len(self.get("train_loss", []))


def predict(net: Module, X, batch_size: int = 1024) -> np.ndarray:
    """Network outputs for ``X`` in evaluation mode, by chunks of ``batch_size`` samples."""
    was_training = net.training
    net.eval()
    try:
        if net.dtype is not None:
            X = as_compute_dtype(X, net.dtype, "predict")
        outputs = [net.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    finally:
        net.train(was_training)
    return np.concatenate(outputs) if outputs else np.empty((0,))


def is_classification(loss: Loss, yhat: np.ndarray) -> bool:
    """Whether accuracy is meaningful for this loss and output (class or 0/1 targets)."""
    if isinstance(loss, (CrossEntropyLoss, NLLLoss)):
        return True
    return isinstance(loss, BCELoss) and yhat.ndim == 2 and yhat.shape[1] == 1


def evaluate(net: Module, loss: Loss, X, Y, batch_size: int = 1024) -> dict[str, float]:
    """Mean loss (and accuracy for classification) of ``net`` on ``(X, Y)``."""
    yhat = predict(net, X, batch_size)
    result = {"loss": float(np.mean(loss.forward(Y, yhat)))}
    if is_classification(loss, yhat):
        result["accuracy"] = accuracy(Y, yhat)
    return result


def _check_data(X, Y, name_x: str, name_y: str) -> None:
    if len(X) != len(Y):
        raise ValueError(f"SGD: {name_x} and {name_y} must hold the same number of samples, "
                         f"got {len(X)} and {len(Y)}")
    if len(X) == 0:
        raise ValueError(f"SGD: {name_x} is empty")


def SGD(net: Module, loss: Loss, X, Y, batch_size: int = 32, epochs: int = 10,
        eps: float = 1e-3, shuffle: bool = True, seed=None, X_val=None, Y_val=None,
        rule=None, progress: bool = True) -> History:
    """Mini-batch gradient descent (the course's ``SGD``).

    Args:
        net, loss: the module to train and its loss.
        X, Y: training inputs ``(n, ...)`` and targets ``(n, ...)``.
        batch_size: samples per step (the last batch of an epoch may be smaller).
        epochs: passes over the data.
        eps: learning rate (applied to the batch-mean gradient).
        shuffle: draw a new sample order each epoch.
        seed: seed or Generator for the order; same seed, same run.
        X_val, Y_val: optional validation data, evaluated after each epoch.
        rule: update rule (``flambeau.rules``), plain gradient descent by default.
        progress: show a tqdm progress bar over epochs.

    Returns:
        ``History`` with ``train_loss`` (mean over the epoch's samples), ``epoch_time``
        (seconds), and ``val_loss`` / ``val_accuracy`` when validation data is given.

    Raises:
        DivergenceError: the loss became NaN or infinite (names the epoch and batch).
    """
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"SGD: batch_size must be a positive int, got {batch_size!r}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"SGD: epochs must be a non-negative int, got {epochs!r}")
    _check_data(X, Y, "X", "Y")
    if (X_val is None) != (Y_val is None):
        raise ValueError("SGD: give both X_val and Y_val, or neither")
    if X_val is not None:
        _check_data(X_val, Y_val, "X_val", "Y_val")
    if net.dtype is not None:
        X = as_compute_dtype(X, net.dtype, "SGD")
    Y = np.asarray(Y)
    optim = Optim(net, loss, eps, rule)
    rng = make_rng(seed)
    n, history = len(X), History()
    n_batches = math.ceil(n / batch_size)
    net.train()
    bar = tqdm(range(epochs), desc="SGD", unit="epoch", disable=not progress, leave=False)
    for epoch in bar:
        start = time.perf_counter()
        order = rng.permutation(n) if shuffle else None
        total = 0.0
        for b in range(n_batches):
            rows = slice(b * batch_size, (b + 1) * batch_size)
            idx = order[rows] if shuffle else rows
            batch_loss = optim.step(X[idx], Y[idx])
            if not math.isfinite(batch_loss):
                raise DivergenceError(
                    f"SGD: the loss became {batch_loss} at epoch {epoch + 1}, batch {b + 1}/"
                    f"{n_batches}; try a smaller learning rate (eps={eps})")
            total += batch_loss * (min(n, (b + 1) * batch_size) - b * batch_size)
        record = {"train_loss": total / n, "epoch_time": time.perf_counter() - start}
        if X_val is not None:
            scores = evaluate(net, loss, X_val, Y_val)
            record.update({f"val_{k}": v for k, v in scores.items()})
        history.append(**record)
        bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k != "epoch_time"})
    bar.close()
    return history
