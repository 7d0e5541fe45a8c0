"""The mini-batch training loop of the course: ``SGD(net, loss, X, Y, batch_size, epochs, eps)``.

There is one loop in the library, ``Trainer.fit``: shuffle, step through the mini-batches
(``Optim.step``), check the loss stays finite. Everything else is a callback
(``flambeau.callbacks``): validation and metrics (``Metrics``), learning-rate schedules
(``LRSchedule``), early stopping (``EarlyStopping``), the progress bar (``ProgressBar``),
checkpoints (``Checkpoint``, from which a run resumes to exactly the result of an
uninterrupted one) and the history itself (``History``). ``SGD``'s keyword options are
shortcuts that build those callbacks; ``analysis.train_autoencoder`` runs the same loop with a
per-batch input ``transform`` (denoising).
"""

from __future__ import annotations

import math
import time

import numpy as np

from ._checks import check_bool, check_real, samples
from .callbacks import Callback, EarlyStopping, ProgressBar, StopTraining, as_callback, wants_batches
from .checkpoint import Checkpoint, load_checkpoint
from .dtype import as_compute_dtype
from .evaluation import Metrics, evaluate, is_classification, metric_table, predict
from .losses import DomainError
from .module import Loss, Module, check_loss, check_module
from .optim import Optim, learning_rate
from .random import make_rng
from .schedules import LRSchedule

__all__ = ["DivergenceError", "History", "SGD", "Trainer", "evaluate", "is_classification", "predict"]


class DivergenceError(FloatingPointError):
    """The training loss became NaN or infinite."""


class History(dict, Callback):
    """Per-epoch records: ``history["train_loss"][e]``, ``history["val_accuracy"][e]``, ...

    Keys: ``train_loss`` (the MEAN per-sample loss over the epoch's samples, measured on each
    batch before its update, whatever the gradient's ``reduction``), ``lr``, ``epoch_time``
    (seconds, training only), ``val_loss`` (mean per sample) / ``val_<metric>`` with validation
    data, ``train_<metric>`` with ``train_metrics=True``. Attributes: ``stopped_early`` (bool)
    and ``best_epoch`` (0-based, set by ``EarlyStopping``).

    It is the callback that records each epoch's logs (``order = -10``: after the measuring
    callbacks, before the others, which therefore see the current epoch in it).
    """

    order = -10
    stopped_early = False
    best_epoch: int | None = None

    def append(self, **values) -> None:
        for key, value in values.items():
            self.setdefault(key, []).append(value)

    def set_trainer(self, trainer) -> None:
        """Nothing: a history holds records only (no reference to the run, its data or net)."""

    def on_epoch_end(self, epoch, logs):
        self.append(**logs)

    @property
    def epochs(self) -> int:
        return len(self.get("train_loss", []))


def _check_count(where: str, name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not (isinstance(value, (int, np.integer)) and value >= minimum):
        kind = "a positive int" if minimum == 1 else "a non-negative int"
        raise ValueError(f"{where}: {name} must be {kind}, got {value!r:.100}")
    return int(value)


def _check_data(where: str, X, Y, name_x: str = "X", name_y: str = "Y"):
    """``(X, Y)`` as arrays of samples (``_checks.samples``), as many of each, at least one."""
    X, Y = samples(where, name_x, X), samples(where, name_y, Y)
    if len(X) != len(Y):
        raise ValueError(f"{where}: {name_x} and {name_y} must hold the same number of samples, "
                         f"got {len(X)} and {len(Y)}")
    if len(X) == 0:
        raise ValueError(f"{where}: {name_x} is empty")
    return X, Y


def _check_callbacks(where: str, callbacks) -> list:
    if isinstance(callbacks, (list, tuple)):
        return list(callbacks)
    raise TypeError(f"{where}: callbacks must be a list of Callback objects or functions f(epoch, logs), "
                    f"got {callbacks!r:.100}")


def _check_transform(where: str, transform):
    if transform is not None and not callable(transform):
        raise TypeError(f"{where}: transform must be a function transform(batch_x, rng) -> batch_x or "
                        f"None, got {transform!r:.100}")
    return transform


class Trainer:
    """One training run: the loop, and what callbacks can reach (``callback.trainer``).

    Each epoch: ``on_epoch_begin`` hooks, a new sample order (``rng.permutation``) when
    ``shuffle``, one ``optim`` step per mini-batch of ``batch_size`` samples (the last may be
    smaller; ``transform(inputs, rng)`` first changes the batch's inputs, targets untouched),
    then ``on_epoch_end`` hooks with ``logs = {"train_loss", "lr", "epoch_time"}``.

    Args:
        optim: the ``Optim`` (network, loss, learning rate, rule, reduction).
        X, Y: training inputs and targets, ``(n, ...)`` each.
        batch_size, epochs: samples per step and total passes (a resumed run goes on to it).
        rng: the Generator of the sample order (and of ``transform``).
        callbacks: ``Callback`` objects or functions ``f(epoch, logs)``; a ``History`` is
            always added and returned by ``fit``.
        shuffle: draw a new order each epoch (else the data's order).
        transform: ``transform(inputs, rng) -> inputs`` applied to each batch before its step.
        name: the function named in error messages.

    Attributes:
        net, loss, optim, rng, history, epochs, first_epoch, callbacks (sorted by ``order``),
        stop_training (set when a callback raised ``StopTraining`` in the current epoch).
    """

    def __init__(self, optim: Optim, X, Y, batch_size: int, epochs: int, rng=None, callbacks=(),
                 shuffle: bool = True, transform=None, name: str = "SGD"):
        self.name = name
        if not isinstance(optim, Optim):
            raise TypeError(f"{name}: optim must be an Optim, got {type(optim).__name__}")
        self.batch_size = _check_count(name, "batch_size", batch_size, 1)
        self.epochs = _check_count(name, "epochs", epochs, 0)
        X, Y = _check_data(name, X, Y)
        self.optim, self.X, self.Y, self.rng = optim, X, Y, make_rng(rng, name)
        self.shuffle = check_bool(name, "shuffle", shuffle)
        self.transform = _check_transform(name, transform)
        self.history = History()
        given = [as_callback(c, name) for c in _check_callbacks(name, callbacks)]
        self.callbacks = sorted([self.history, *given], key=lambda c: c.order)
        self.first_epoch, self.stop_training = 0, False

    @property
    def net(self) -> Module:
        return self.optim.net

    @property
    def loss(self) -> Loss:
        return self.optim.loss

    def resume(self, path) -> None:
        """Restore the run saved in the checkpoint ``path``: ``fit`` then continues it."""
        self.first_epoch, saved = load_checkpoint(path, self.net, self.optim.rule, self.rng,
                                                  self.callbacks, self.optim.reduction)
        self.history.update(saved)

    def fit(self) -> History:
        """Train from ``first_epoch`` to ``epochs``; returns the ``History``."""
        self.net.train()
        for callback in self.callbacks:
            callback.set_trainer(self)
        self._call("on_train_begin", self.net, self.history)
        for epoch in range(self.first_epoch, self.epochs):
            start = time.perf_counter()
            self._call("on_epoch_begin", epoch)
            order = self.rng.permutation(len(self.X)) if self.shuffle else None
            logs = {"train_loss": self._train_epoch(epoch, order), "lr": self.optim.lr,
                    "epoch_time": time.perf_counter() - start}
            self._epoch_end(epoch, logs)
            if self.stop_training:
                break
        self.history.stopped_early = self.stop_training
        self._call("on_train_end", self.net, self.history)
        return self.history

    def _train_epoch(self, epoch: int, order) -> float:
        """One pass over the data; returns the mean per-sample loss over its samples."""
        n, size = len(self.X), self.batch_size
        n_batches = math.ceil(n / size)
        params, grads = self.net.parameters(), self.net.gradients()
        batch_hooks = [c for c in self.callbacks if wants_batches(c)]
        total = 0.0
        for b in range(n_batches):
            start = b * size
            if order is None:
                inputs, targets = self.X[start:start + size], self.Y[start:start + size]
            else:  # np.take: the rows of X[idx], 10 to 15 % faster (64 and 256 MNIST rows)
                idx = order[start:start + size]
                inputs, targets = np.take(self.X, idx, axis=0), np.take(self.Y, idx, axis=0)
            if self.transform is not None:
                inputs = self.transform(inputs, self.rng)
            try:
                batch_loss = self.optim.step_with(inputs, targets, params, grads)
            except DomainError as error:  # the data or the output layer, not the learning rate
                where = self._where(epoch, b, n_batches)
                raise DomainError(f"{self.name}: stopped {where}: {error}") from error
            if not math.isfinite(batch_loss):
                raise self._divergence(self._where(epoch, b, n_batches), batch_loss, inputs, params)
            total += batch_loss * (min(n, start + size) - start)
            for callback in batch_hooks:
                callback.on_batch_end(epoch, b, batch_loss)
        return total / n

    def _where(self, epoch: int, batch: int, n_batches: int) -> str:
        return f"at epoch {epoch + 1}, batch {batch + 1}/{n_batches}"

    def _divergence(self, where: str, batch_loss: float, inputs, params: dict) -> DivergenceError:
        """The error for a non-finite batch loss, with its likely cause.

        Non-finite weights after the step: the updates grew without bound (a learning rate too
        large). Finite weights and a NaN loss: the loss was evaluated outside its domain; the
        batch is run again (eval mode, no trace in the caches that matter: training stops here)
        and, when predictions lie outside [0, 1], the message says so (a log of a negative
        number, e.g. a BCE written without a Sigmoid before it), since a smaller learning rate
        would not help.
        """
        lr_advice = f"try a smaller learning rate (lr={self.optim.lr:g})"
        weights_finite = all(np.isfinite(p).all() for p in params.values())
        if not (weights_finite and math.isnan(batch_loss)):
            return DivergenceError(f"{self.name}: the loss became {batch_loss} {where}; {lr_advice}")
        self.net.eval()
        try:
            yhat = np.asarray(self.net.forward(inputs))
        finally:
            self.net.train()
        lo, hi = (yhat.min(), yhat.max()) if yhat.size else (0.0, 0.0)
        if np.isfinite(lo) and np.isfinite(hi) and (lo < 0 or hi > 1):
            return DivergenceError(
                f"{self.name}: the loss became nan {where} with predictions outside [0, 1] (values in "
                f"[{lo:g}, {hi:g}]) and finite weights: {type(self.loss).__name__} needs "
                "probabilities; add a Sigmoid before the loss (a smaller learning rate will not help)")
        return DivergenceError(f"{self.name}: the loss became nan {where} with finite weights and "
                               f"predictions; check the targets and the loss, or {lr_advice}")

    def _call(self, hook: str, *args) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def _epoch_end(self, epoch: int, logs: dict) -> None:
        """The ``on_epoch_end`` hooks; a ``StopTraining`` sets ``stop_training`` and the
        remaining hooks still run (a checkpoint is then written)."""
        for callback in self.callbacks:
            try:
                callback.on_epoch_end(epoch, logs)
            except StopTraining:
                self.stop_training = True


# -- SGD: the course's function, its keyword options built into callbacks -----------------------
def _split(X, Y, X_val, Y_val, validation_split: float):
    """Hold out the last ``validation_split`` share of ``(X, Y)`` (Keras' convention)."""
    if validation_split is None or check_real("SGD", "validation_split", validation_split, 0, 1,
                                              high_open=True) == 0:
        return X, Y, X_val, Y_val
    if X_val is not None:
        raise ValueError("SGD: give validation_split or X_val/Y_val, not both")
    n_val = int(round(len(X) * validation_split))
    if not 0 < n_val < len(X):
        raise ValueError(f"SGD: validation_split={validation_split} of {len(X)} samples leaves "
                         f"{n_val} for validation and {len(X) - n_val} for training")
    cut = len(X) - n_val
    return X[:cut], Y[:cut], X[cut:], Y[cut:]


def _training_data(net: Module, X, Y, X_val, Y_val, validation_split: float):
    X, Y = _check_data("SGD", X, Y)
    if (X_val is None) != (Y_val is None):
        raise ValueError("SGD: give both X_val and Y_val, or neither")
    X, Y, X_val, Y_val = _split(X, Y, X_val, Y_val, validation_split)
    if X_val is not None:
        X_val, Y_val = _check_data("SGD", X_val, Y_val, "X_val", "Y_val")
    if net.dtype is not None:
        X = as_compute_dtype(X, net.dtype, "SGD")
    return X, Y, X_val, Y_val


def _option_callbacks(X, Y, X_val, Y_val, *, metrics, train_metrics, schedule, early_stopping,
                      monitor, restore_best, checkpoint, checkpoint_every, progress, desc) -> list:
    """The callbacks ``SGD``'s keyword options stand for, and where they go among the user's:
    ``(before, after)``."""
    checkpoint_every = _check_count("SGD", "checkpoint_every", checkpoint_every, 1)
    table = metric_table(metrics, "SGD")
    before = [LRSchedule(schedule, monitor)] if schedule is not None else []
    if train_metrics:
        before.append(Metrics(X, Y, table, prefix="train", record_loss=False))
    if X_val is not None:
        before.append(Metrics(X_val, Y_val, table, prefix="val"))
    after = []
    if isinstance(early_stopping, EarlyStopping):
        after.append(early_stopping)
    elif isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        after.append(EarlyStopping(early_stopping, monitor=monitor, restore_best=restore_best))
    elif early_stopping is not None:
        raise TypeError(f"SGD: early_stopping must be a patience (int) or an EarlyStopping, "
                        f"got {early_stopping!r}")
    if progress:
        after.append(ProgressBar(desc))
    if checkpoint is not None:
        after.append(Checkpoint(checkpoint, checkpoint_every))
    return before, after


def SGD(net: Module, loss: Loss, X, Y, batch_size: int = 32, epochs: int = 10,
        eps: float | None = None, shuffle: bool = True, seed=None, X_val=None, Y_val=None,
        rule=None, progress: bool = True, *, lr: float | None = None, reduction: str = "mean",
        callbacks=(), transform=None, validation_split: float = 0.0, metrics=None,
        train_metrics: bool = False, schedule=None, clip_norm: float | None = None,
        early_stopping: int | EarlyStopping | None = None, monitor: str | None = None,
        restore_best: bool = True, checkpoint=None, checkpoint_every: int = 1,
        resume=None) -> History:
    """Mini-batch gradient descent (the course's ``SGD``).

    Args:
        net, loss: the module to train and its loss.
        X, Y: training inputs ``(n, ...)`` and targets ``(n, ...)``.
        batch_size: samples per step (the last batch of an epoch may be smaller).
        epochs: total passes over the data (a resumed run continues up to this number).
        eps: the learning rate, under the course's name (default 1e-3); or give ``lr``.
            Not the epsilon of ``Adam``/``RMSprop`` (theirs is ``Adam(eps=...)``).
        shuffle: draw a new sample order each epoch.
        seed: seed or Generator for the order; same seed, same run.
        X_val, Y_val: optional validation data, evaluated after each epoch.
        rule: update rule (``flambeau.rules``), plain gradient descent by default.
        progress: show a tqdm progress bar over epochs (losses: means per sample).
        lr: the learning rate under its usual name (give ``lr`` or ``eps``, not both).
        reduction: ``"mean"`` (default; PyTorch's and Lua nn's ``sizeAverage``): step on the
            gradient of the batch-mean loss; ``"sum"`` (the course's): on the gradient of the
            sum of the batch's losses, as ``backward_update_gradient`` accumulates it. For plain
            gradient descent, ``"sum"`` at ``lr`` is ``"mean"`` at ``lr * batch_size``; Adam and
            RMSprop are nearly indifferent to it. The losses recorded are means per sample
            either way.
        callbacks: ``flambeau.callbacks.Callback`` objects (``Metrics``, ``LRSchedule``,
            ``EarlyStopping``, ``Checkpoint``, yours) or functions ``f(epoch, logs)``.
        transform: ``transform(batch_x, rng) -> batch_x`` applied to each batch's inputs
            before its step (targets unchanged), e.g. a corruption for denoising.

    Keyword shortcuts, each building one of those callbacks:
        validation_split: hold out this last share of ``(X, Y)`` as validation data.
        metrics: extra per-epoch metrics on the validation data (``Metrics``): names of
            ``flambeau.metrics.METRICS`` (``"f1"``, ``"precision"``...), functions
            ``f(y, yhat)`` or a ``{name: function}`` dict; recorded as ``val_<name>``.
        train_metrics: also evaluate the metrics on the whole training set after each epoch
            (``train_<name>``; costs one more forward pass over the data).
        schedule: learning-rate factor per epoch, ``lr = eps * schedule(epoch)``
            (``LRSchedule``; ``flambeau.schedules`` or any function of the 0-based epoch).
        clip_norm: clip the global gradient norm of each step to this value (an ``Optim``
            option).
        early_stopping: patience (int) or an ``EarlyStopping``: stop when ``monitor`` stops
            improving, restoring the best weights unless ``restore_best=False``.
        monitor: the record watched by early stopping and ``ReduceLROnPlateau``
            (default ``val_loss`` with validation data, else ``train_loss``).
        checkpoint: path of a checkpoint written every ``checkpoint_every`` epochs (and at the
            end), atomically (``Checkpoint``).
        resume: path of a checkpoint to continue from: weights, rule state, shuffling and
            dropout generators, schedule, early stopping and history are restored, and
            training goes on to ``epochs``: the result equals an uninterrupted run's.

    Returns:
        ``History`` (see its docstring for the keys).

    Raises:
        DivergenceError: the loss became NaN or infinite (names the epoch and batch).
    """
    check_module("SGD", "net", net)
    check_loss("SGD", "loss", loss)
    X, Y, X_val, Y_val = _training_data(net, X, Y, X_val, Y_val, validation_split)
    lr = learning_rate("SGD", eps, lr)
    optim = Optim(net, loss, lr, rule, clip_norm, reduction=reduction)
    optim.lr = lr  # as given: an np.float64 learning rate makes the update's product float64
    monitor = monitor or ("val_loss" if X_val is not None else "train_loss")
    before, after = _option_callbacks(
        X, Y, X_val, Y_val, metrics=metrics, train_metrics=train_metrics, schedule=schedule,
        early_stopping=early_stopping, monitor=monitor, restore_best=restore_best,
        checkpoint=checkpoint, checkpoint_every=checkpoint_every, progress=progress,
        desc=f"SGD ({reduction} gradient; losses: means per sample)")
    trainer = Trainer(optim, X, Y, batch_size, epochs, make_rng(seed, "SGD", "seed"),
                      [*before, *_check_callbacks("SGD", callbacks), *after],
                      shuffle=shuffle, transform=transform, name="SGD")
    if resume is not None:
        trainer.resume(resume)
    return trainer.fit()
