"""Training an autoencoder on its own input, optionally on corrupted copies (denoising)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..callbacks import Callback, ProgressBar
from ..dtype import as_compute_dtype
from ..losses import BCELoss
from ..module import Loss, Module
from ..optim import Optim
from ..rules import Adam
from ..schedules import ExponentialLR, LRSchedule
from ..training import History, Trainer, predict

__all__ = ["PerFeatureLosses", "per_feature_loss", "train_autoencoder"]


def per_feature_loss(model: Module, loss: Loss, X, target=None, batch_size: int = 1024) -> np.ndarray:
    """Per-sample reconstruction loss divided by the number of features, ``(n,)``.

    With ``BCELoss`` this is the mean BCE per pixel of each image (PyTorch's
    ``binary_cross_entropy(..., reduction="mean")`` per image); ``target`` defaults to ``X``.
    """
    target = X if target is None else target
    Xhat = predict(model, X, batch_size)
    return loss.forward(target, Xhat) / _summed_features(loss, X)


def _summed_features(loss: Loss, X) -> int:
    """How many features a per-sample loss adds up: 1 for a loss that already averages them
    (``features="mean"``), else the number of features of one sample of ``X``."""
    return 1 if getattr(loss, "features", "sum") == "mean" else int(np.prod(np.shape(X)[1:]))


class PerFeatureLosses(Callback):
    """Add ``train_loss_per_feature`` (the epoch's ``train_loss`` over the number of features the
    loss sums, ``n_features``)
    and, with ``X_val``, ``val_loss_per_feature`` (``per_feature_loss`` on it, averaged over
    samples) to each epoch's logs. Measures, so runs first (``order = -20``)."""

    order = -20

    def __init__(self, n_features: int, X_val=None):
        self.n_features, self.X_val = n_features, X_val

    def on_epoch_end(self, epoch, logs):
        logs["train_loss_per_feature"] = logs["train_loss"] / self.n_features
        if self.X_val is not None:
            losses = per_feature_loss(self.trainer.net, self.trainer.loss, self.X_val)
            logs["val_loss_per_feature"] = float(losses.mean())


def _corruption_transform(corrupt: Callable, dtype) -> Callable:
    """``corrupt`` as the loop's per-batch transform, its output cast to the training dtype."""
    return lambda batch, rng: as_compute_dtype(corrupt(batch, rng), dtype, "train_autoencoder")


def train_autoencoder(model: Module, X, loss: Loss | None = None, epochs: int = 10,
                      batch_size: int = 128, lr: float = 1e-3, rule=None,
                      corrupt: Callable | None = None, X_val=None, lr_decay: float = 1.0,
                      seed=None, progress: bool = True, *, reduction: str = "mean",
                      callbacks=()) -> History:
    """Fit ``model`` to reconstruct ``X`` (targets are the clean inputs), with ``SGD``'s loop.

    Args:
        model: an ``AutoEncoder`` (or any module ``(n, d) -> (n, d)``).
        X: training inputs ``(n, d)`` in [0, 1] for BCE.
        loss: reconstruction loss, ``BCELoss()`` by default.
        epochs, batch_size: passes and samples per step.
        lr: learning rate; multiplied by ``lr_decay`` after each epoch (an
            ``ExponentialLR(lr_decay, chained=True)`` schedule; ``0.95`` reproduces the
            reports' ``0.95 ** epoch``).
        rule: update rule, ``Adam()`` by default.
        corrupt: ``corrupt(batch, rng) -> noisy batch``: train to map corrupted inputs to clean
            ones (a fresh corruption at every step: the loop's per-batch ``transform``); None
            trains a plain autoencoder.
        X_val: optional validation inputs; ``val_loss_per_feature`` is recorded each epoch.
        seed: seed or Generator for the sample order and the corruption.
        progress: tqdm bar over epochs.
        reduction: ``"mean"`` (default) or ``"sum"``: the gradient of the batch-mean or of the
            batch-sum loss (see ``flambeau.optim``).
        callbacks: more callbacks for the loop (``flambeau.callbacks``).

    Returns:
        ``History`` with ``train_loss`` (mean per-sample loss, whatever the reduction),
        ``lr``, ``epoch_time``, ``train_loss_per_feature`` and, with ``X_val``,
        ``val_loss_per_feature`` (means per sample and per feature).
    """
    loss = BCELoss() if loss is None else loss
    X = np.asarray(X)
    if model.dtype is not None:
        X = as_compute_dtype(X, model.dtype, "train_autoencoder")
    optim = Optim(model, loss, lr=lr, rule=Adam() if rule is None else rule, reduction=reduction)
    hooks = [PerFeatureLosses(_summed_features(loss, X), X_val)]
    if lr_decay != 1.0:
        if isinstance(lr_decay, bool) or not (isinstance(lr_decay, (int, float, np.floating))
                                               and 0 < lr_decay < 1):
            raise ValueError(f"train_autoencoder: lr_decay must lie in (0, 1], got {lr_decay!r}")
        hooks.append(LRSchedule(ExponentialLR(lr_decay, chained=True)))
    if progress:
        hooks.append(ProgressBar(f"autoencoder ({reduction} gradient; losses: means per sample and feature)",
                                 show=lambda key: key.endswith("per_feature")))
    transform = None if corrupt is None else _corruption_transform(corrupt, X.dtype)
    trainer = Trainer(optim, X, X, batch_size, epochs, seed, [*hooks, *callbacks], transform=transform,
                      name="train_autoencoder")
    return trainer.fit()
