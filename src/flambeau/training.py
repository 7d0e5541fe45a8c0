"""The mini-batch training loop of the course: ``SGD(net, loss, X, Y, ...)``.

Beyond the course's arguments, ``SGD`` offers (all optional, keyword-only): a validation
split, metrics recorded per epoch, learning-rate schedules, gradient clipping, early
stopping with best-weights restore, callbacks, and checkpoints every N epochs from which a
run resumes to exactly the result of an uninterrupted one. The per-batch path stays minimal:
one ``Optim.step``, a finiteness check, and callbacks only when some ask for batches.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from .callbacks import Callback, EarlyStopping, LambdaCallback, StopTraining, wants_batches
from .checkpoint import load_checkpoint, save_checkpoint
from .dtype import as_compute_dtype
from .losses import BCELoss, CrossEntropyLoss, NLLLoss
from .metrics import METRICS, accuracy
from .module import Loss, Module
from .optim import Optim
from .random import make_rng

__all__ = ["DivergenceError", "History", "SGD", "evaluate", "predict"]


class DivergenceError(FloatingPointError):
    """The training loss became NaN or infinite."""


class History(dict):
    """Per-epoch records: ``history["train_loss"][e]``, ``history["val_accuracy"][e]``, ...

    Keys: ``train_loss`` (mean over the epoch's samples), ``lr``, ``epoch_time`` (seconds),
    ``val_loss`` / ``val_<metric>`` with validation data, ``train_<metric>`` with
    ``train_metrics=True``. Attributes set by ``SGD``: ``stopped_early`` (bool) and
    ``best_epoch`` (0-based, with early stopping).
    """

    stopped_early = False
    best_epoch: int | None = None

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


def evaluate(net: Module, loss: Loss, X, Y, batch_size: int = 1024,
             metrics: dict[str, Callable] | None = None) -> dict[str, float]:
    """Mean loss (and accuracy for classification, and each ``metrics`` entry) of ``net``
    on ``(X, Y)``; metric functions are called ``f(Y, yhat)``."""
    yhat = predict(net, X, batch_size)
    result = {"loss": float(np.mean(loss.forward(Y, yhat)))}
    if is_classification(loss, yhat):
        result["accuracy"] = accuracy(Y, yhat)
    for name, function in (metrics or {}).items():
        result[name] = float(function(Y, yhat))
    return result


# -- argument checks ------------------------------------------------------------------------------
def _check_data(X, Y, name_x: str, name_y: str) -> None:
    if len(X) != len(Y):
        raise ValueError(f"SGD: {name_x} and {name_y} must hold the same number of samples, "
                         f"got {len(X)} and {len(Y)}")
    if len(X) == 0:
        raise ValueError(f"SGD: {name_x} is empty")


def _metric_table(metrics) -> dict[str, Callable]:
    """``metrics`` as ``{name: f(y, yhat)}``: names from ``flambeau.metrics.METRICS``,
    functions (named by ``__name__``) or a dict."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        items = list(metrics.items())
    else:
        items = []
        for metric in metrics:
            if isinstance(metric, str):
                if metric not in METRICS:
                    raise ValueError(f"SGD: unknown metric {metric!r}; choose one of {sorted(METRICS)} "
                                     "or pass a function f(y, yhat)")
                items.append((metric, METRICS[metric]))
            elif callable(metric):
                items.append((getattr(metric, "__name__", type(metric).__name__), metric))
            else:
                raise TypeError(f"SGD: a metric must be a name or a function f(y, yhat), got {metric!r}")
    if any(name == "loss" for name, _ in items):
        raise ValueError("SGD: 'loss' is always recorded; give the metric another name")
    return dict(items)


def _callback_list(callbacks, early_stopping) -> list[Callback]:
    result = []
    for callback in callbacks or ():
        if isinstance(callback, Callback):
            result.append(callback)
        elif callable(callback):
            result.append(LambdaCallback(callback))
        else:
            raise TypeError(f"SGD: a callback must be a Callback or a function f(epoch, logs), "
                            f"got {type(callback).__name__}")
    if early_stopping is not None:
        result.append(early_stopping)
    return result


def _split(X, Y, X_val, Y_val, validation_split: float):
    """Hold out the last ``validation_split`` share of ``(X, Y)`` (Keras' convention)."""
    if not validation_split:
        return X, Y, X_val, Y_val
    if not (0 < validation_split < 1):
        raise ValueError(f"SGD: validation_split must lie in [0, 1), got {validation_split!r}")
    if X_val is not None:
        raise ValueError("SGD: give validation_split or X_val/Y_val, not both")
    n_val = int(round(len(X) * validation_split))
    if not 0 < n_val < len(X):
        raise ValueError(f"SGD: validation_split={validation_split} of {len(X)} samples leaves "
                         f"{n_val} for validation and {len(X) - n_val} for training")
    cut = len(X) - n_val
    return X[:cut], Y[:cut], X[cut:], Y[cut:]


# -- the loop ---------------------------------------------------------------------------------------
def _train_epoch(optim: Optim, X, Y, order, batch_size: int, epoch: int, batch_callbacks) -> float:
    """One pass over the data; returns the mean loss over its samples."""
    n = len(X)
    n_batches = math.ceil(n / batch_size)
    params, grads = optim.net.parameters(), optim.net.gradients()
    total = 0.0
    for b in range(n_batches):
        start = b * batch_size
        idx = order[start:start + batch_size] if order is not None else slice(start, start + batch_size)
        batch_loss = optim.step_with(X[idx], Y[idx], params, grads)
        if not math.isfinite(batch_loss):
            raise DivergenceError(
                f"SGD: the loss became {batch_loss} at epoch {epoch + 1}, batch {b + 1}/"
                f"{n_batches}; try a smaller learning rate (eps={optim.eps:g})")
        total += batch_loss * (min(n, start + batch_size) - start)
        for callback in batch_callbacks:
            callback.on_batch_end(epoch, b, batch_loss)
    return total / n


def _epoch_end(callbacks, epoch: int, record: dict) -> bool:
    """Run the ``on_epoch_end`` hooks; True when one of them asked to stop."""
    stop = False
    for callback in callbacks:
        try:
            callback.on_epoch_end(epoch, record)
        except StopTraining:
            stop = True
    return stop


def SGD(net: Module, loss: Loss, X, Y, batch_size: int = 32, epochs: int = 10,
        eps: float = 1e-3, shuffle: bool = True, seed=None, X_val=None, Y_val=None,
        rule=None, progress: bool = True, *, validation_split: float = 0.0, metrics=None,
        train_metrics: bool = False, schedule=None, clip_norm: float | None = None,
        early_stopping: int | EarlyStopping | None = None, monitor: str | None = None,
        restore_best: bool = True, callbacks=(), checkpoint=None, checkpoint_every: int = 1,
        resume=None) -> History:
    """Mini-batch gradient descent (the course's ``SGD``).

    Args:
        net, loss: the module to train and its loss.
        X, Y: training inputs ``(n, ...)`` and targets ``(n, ...)``.
        batch_size: samples per step (the last batch of an epoch may be smaller).
        epochs: total passes over the data (a resumed run continues up to this number).
        eps: base learning rate (applied to the batch-mean gradient).
        shuffle: draw a new sample order each epoch.
        seed: seed or Generator for the order; same seed, same run.
        X_val, Y_val: optional validation data, evaluated after each epoch.
        rule: update rule (``flambeau.rules``), plain gradient descent by default.
        progress: show a tqdm progress bar over epochs (loss and validation metric).
        validation_split: hold out this last share of ``(X, Y)`` as validation data.
        metrics: extra per-epoch metrics on the validation data: names of
            ``flambeau.metrics.METRICS`` (``"f1"``, ``"precision"``...), functions
            ``f(y, yhat)`` or a ``{name: function}`` dict; recorded as ``val_<name>``.
        train_metrics: also evaluate the loss and metrics on the whole training set after
            each epoch (``train_<name>``; costs one more forward pass over the data).
        schedule: learning-rate factor per epoch, ``lr = eps * schedule(epoch)``
            (``flambeau.schedules`` or any function of the 0-based epoch).
        clip_norm: clip the global gradient norm of each step to this value.
        early_stopping: patience (int) or an ``EarlyStopping``: stop when ``monitor`` stops
            improving, restoring the best weights unless ``restore_best=False``.
        monitor: the record watched by early stopping and ``ReduceLROnPlateau``
            (default ``val_loss`` with validation data, else ``train_loss``).
        callbacks: ``flambeau.callbacks.Callback`` objects or functions ``f(epoch, logs)``.
        checkpoint: path of a checkpoint written every ``checkpoint_every`` epochs (and at the
            end), atomically.
        resume: path of a checkpoint to continue from: weights, rule state, shuffling and
            dropout generators, schedule, early stopping and history are restored, and
            training goes on to ``epochs``: the result equals an uninterrupted run's.

    Returns:
        ``History`` (see its docstring for the keys).

    Raises:
        DivergenceError: the loss became NaN or infinite (names the epoch and batch).
    """
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"SGD: batch_size must be a positive int, got {batch_size!r}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"SGD: epochs must be a non-negative int, got {epochs!r}")
    if not (isinstance(checkpoint_every, (int, np.integer)) and checkpoint_every >= 1):
        raise ValueError(f"SGD: checkpoint_every must be a positive int, got {checkpoint_every!r}")
    _check_data(X, Y, "X", "Y")
    if (X_val is None) != (Y_val is None):
        raise ValueError("SGD: give both X_val and Y_val, or neither")
    X, Y, X_val, Y_val = _split(X, Y, X_val, Y_val, validation_split)
    if X_val is not None:
        _check_data(X_val, Y_val, "X_val", "Y_val")
    if net.dtype is not None:
        X = as_compute_dtype(X, net.dtype, "SGD")
    Y = np.asarray(Y)
    optim = Optim(net, loss, eps, rule, clip_norm=clip_norm)
    rng = make_rng(seed)
    metric_table = _metric_table(metrics)
    monitor = monitor or ("val_loss" if X_val is not None else "train_loss")
    if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(early_stopping, monitor=monitor, restore_best=restore_best)
    hooks = _callback_list(callbacks, early_stopping)
    batch_hooks = [c for c in hooks if wants_batches(c)]

    history, first_epoch = History(), 0
    if resume is not None:
        first_epoch, saved = load_checkpoint(resume, net, optim.rule, rng, schedule, hooks)
        history.update(saved)
    net.train()
    for callback in hooks:
        callback.on_train_begin(net, history)
    bar = tqdm(range(first_epoch, epochs), desc="SGD", unit="epoch", disable=not progress,
               leave=False, initial=first_epoch, total=epochs)
    for epoch in bar:
        start = time.perf_counter()
        optim.eps = eps * schedule(epoch) if schedule is not None else eps
        for callback in hooks:
            callback.on_epoch_begin(epoch)
        order = rng.permutation(len(X)) if shuffle else None
        train_loss = _train_epoch(optim, X, Y, order, batch_size, epoch, batch_hooks)
        record = {"train_loss": train_loss, "lr": optim.eps, "epoch_time": time.perf_counter() - start}
        if train_metrics:
            scores = evaluate(net, loss, X, Y, metrics=metric_table)
            record.update({f"train_{k}": v for k, v in scores.items() if k != "loss"})
        if X_val is not None:
            scores = evaluate(net, loss, X_val, Y_val, metrics=metric_table)
            record.update({f"val_{k}": v for k, v in scores.items()})
        history.append(**record)
        if hasattr(schedule, "observe"):
            schedule.observe(record[monitor])
        stop = _epoch_end(hooks, epoch, record)
        bar.set_postfix({k: f"{v:.4g}" for k, v in record.items()
                         if k == "train_loss" or k.startswith("val_")})
        if checkpoint is not None and ((epoch + 1) % checkpoint_every == 0 or stop or epoch + 1 == epochs):
            save_checkpoint(checkpoint, net, optim.rule, rng, epoch + 1, history, schedule, hooks)
        if stop:
            history.stopped_early = True
            break
    bar.close()
    for callback in hooks:
        callback.on_train_end(net, history)
    if isinstance(early_stopping, EarlyStopping):
        history.best_epoch = early_stopping.best_epoch
    return history

