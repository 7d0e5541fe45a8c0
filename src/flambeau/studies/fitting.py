"""Training an autoencoder on its own input, optionally on corrupted copies (denoising)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from ..dtype import as_compute_dtype
from ..losses import BCELoss
from ..module import Loss, Module
from ..optim import Optim
from ..random import make_rng
from ..rules import Adam
from ..training import DivergenceError, History, predict

__all__ = ["per_feature_loss", "train_autoencoder"]


def per_feature_loss(model: Module, loss: Loss, X, target=None, batch_size: int = 1024) -> np.ndarray:
    """Per-sample reconstruction loss divided by the number of features, ``(n,)``.

    With ``BCELoss`` this is the mean BCE per pixel of each image (PyTorch's
    ``binary_cross_entropy(..., reduction="mean")`` per image); ``target`` defaults to ``X``.
    """
    target = X if target is None else target
    Xhat = predict(model, X, batch_size)
    n_features = int(np.prod(np.shape(X)[1:]))
    return loss.forward(target, Xhat) / n_features


def train_autoencoder(model: Module, X, loss: Loss | None = None, epochs: int = 10,
                      batch_size: int = 128, lr: float = 1e-3, rule=None,
                      corrupt: Callable | None = None, X_val=None, lr_decay: float = 1.0,
                      seed=None, progress: bool = True) -> History:
    """Fit ``model`` to reconstruct ``X`` (targets are the clean inputs).

    Args:
        model: an ``AutoEncoder`` (or any module ``(n, d) -> (n, d)``).
        X: training inputs ``(n, d)`` in [0, 1] for BCE.
        loss: reconstruction loss, ``BCELoss()`` by default.
        epochs, batch_size: passes and samples per step.
        lr: learning rate (of the batch-mean gradient); multiplied by ``lr_decay`` after each
            epoch (``0.95`` reproduces the reports' ``0.95 ** epoch``).
        rule: update rule, ``Adam()`` by default.
        corrupt: ``corrupt(batch, rng) -> noisy batch``: train to map corrupted inputs to clean
            ones (a fresh corruption at every step); None trains a plain autoencoder.
        X_val: optional validation inputs; ``val_loss_per_feature`` is recorded each epoch.
        seed: seed or Generator for the sample order and the corruption.
        progress: tqdm bar over epochs.

    Returns:
        ``History`` with ``train_loss`` (mean per-sample loss), ``train_loss_per_feature``,
        ``lr``, ``epoch_time`` and, with ``X_val``, ``val_loss_per_feature``.
    """
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"train_autoencoder: epochs must be a non-negative int, got {epochs!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"train_autoencoder: batch_size must be a positive int, got {batch_size!r}")
    loss = BCELoss() if loss is None else loss
    X = np.asarray(X)
    if model.dtype is not None:
        X = as_compute_dtype(X, model.dtype, "train_autoencoder")
    optim = Optim(model, loss, lr, Adam() if rule is None else rule)
    rng, n, history = make_rng(seed), len(X), History()
    n_features = int(np.prod(X.shape[1:]))
    n_batches = math.ceil(n / batch_size)
    model.train()
    bar = tqdm(range(epochs), desc="autoencoder", unit="epoch", disable=not progress, leave=False)
    for epoch in bar:
        start, total, order = time.perf_counter(), 0.0, rng.permutation(n)
        for b in range(n_batches):
            clean = X[order[b * batch_size:(b + 1) * batch_size]]
            inputs = clean if corrupt is None else as_compute_dtype(
                corrupt(clean, rng), X.dtype, "train_autoencoder")
            batch_loss = optim.step(inputs, clean)
            if not math.isfinite(batch_loss):
                raise DivergenceError(f"train_autoencoder: the loss became {batch_loss} at epoch "
                                      f"{epoch + 1}, batch {b + 1}/{n_batches}; try a smaller "
                                      f"learning rate (lr={optim.eps})")
            total += batch_loss * len(clean)
        record = {"train_loss": total / n, "train_loss_per_feature": total / n / n_features,
                  "lr": optim.eps, "epoch_time": time.perf_counter() - start}
        if X_val is not None:
            record["val_loss_per_feature"] = float(per_feature_loss(model, loss, X_val).mean())
        history.append(**record)
        bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k.endswith("per_feature")})
        optim.eps *= lr_decay
    bar.close()
    return history
