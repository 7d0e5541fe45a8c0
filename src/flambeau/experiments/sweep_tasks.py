"""Tasks a sweep can run: plain functions ``task(**params) -> dict of numbers``.

They are module-level functions (picklable), so joblib processes and Dask workers can import
and call them. Datasets are cached per process.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from ..autoencoder import AutoEncoder
from ..losses import BCELoss, CrossEntropyLoss, MSELoss
from ..rules import Adam, GradientDescent
from ..training import SGD, predict
from .common import mlp
from .data import load

__all__ = ["TASKS", "TRAJECTORIES", "autoencoder_task", "autoencoder_trajectory", "mlp_task"]

_LOSSES = {"mse": MSELoss, "bce": BCELoss}
_RULES = {"sgd": GradientDescent, "adam": Adam}


@functools.lru_cache(maxsize=4)
def _dataset(name: str, n_train: int | None, n_test: int | None):
    X, y, Xt, yt = load(name)
    return X[:n_train], y[:n_train], Xt[:n_test], yt[:n_test]


def autoencoder_task(dataset: str = "mnist", loss: str = "mse", lr: float = 0.01, epochs: int = 10,
                     batch_size: int = 32, latent: int = 16, steps: int = 2, activation: str = "tanh",
                     init: str = "uniform", rule: str = "sgd", n_train: int | None = None,
                     n_test: int | None = None, seed: int = 0) -> dict:
    """Train ``AutoEncoder.symmetric(d, latent, steps)`` and measure reconstruction on the test set.

    ``init`` names a ``flambeau.init`` initialiser; ``rule`` is ``"sgd"`` (plain gradient
    descent) or ``"adam"``.

    Returns:
        ``test_mse`` and ``test_bce`` (per pixel, whatever the training loss), ``train_loss``
        (last epoch, the training loss per image) and ``n_parameters``.
    """
    metrics = autoencoder_trajectory([epochs], dataset=dataset, loss=loss, lr=lr, batch_size=batch_size,
                                     latent=latent, steps=steps, activation=activation, init=init,
                                     rule=rule, n_train=n_train, n_test=n_test, seed=seed)[epochs]
    del metrics["seconds"]
    return metrics


def autoencoder_trajectory(epochs, dataset: str = "mnist", loss: str = "mse", lr: float = 0.01,
                           batch_size: int = 32, latent: int = 16, steps: int = 2, activation: str = "tanh",
                           init: str = "uniform", rule: str = "sgd", n_train: int | None = None,
                           n_test: int | None = None, seed: int = 0) -> dict[int, dict]:
    """``autoencoder_task`` for several epoch counts in one run: trains to ``max(epochs)`` and
    measures after each epoch count of ``epochs`` on the way.

    The learning rate is constant and the shuffling draws one order per epoch, so the network
    after ``e`` epochs of a longer run is the network a run of ``e`` epochs ends with.

    Returns:
        ``{e: metrics}`` with ``autoencoder_task``'s metrics plus ``seconds`` (time from the start
        of this call to the end of that measurement).
    """
    start = time.perf_counter()
    epochs = sorted({int(e) for e in epochs})
    if not epochs or epochs[0] < 1:
        raise ValueError(f"autoencoder_task: epochs must be positive ints, got {epochs!r}")
    if loss not in _LOSSES:
        raise ValueError(f"autoencoder_task: loss must be one of {sorted(_LOSSES)}, got {loss!r}")
    if rule not in _RULES:
        raise ValueError(f"autoencoder_task: rule must be one of {sorted(_RULES)}, got {rule!r}")
    X, _, Xt, _ = _dataset(dataset, n_train, n_test)
    ae = AutoEncoder.symmetric(X.shape[1], int(latent), steps=int(steps), activation=activation, init=init,
                               rng=seed)
    results = {}

    def measure(epoch, logs):
        if epoch + 1 in epochs:
            recon, pixels = predict(ae, Xt), Xt.shape[1]
            results[epoch + 1] = {"test_mse": float(MSELoss().forward(Xt, recon).mean() / pixels),
                                  "test_bce": float(BCELoss().forward(Xt, recon).mean() / pixels),
                                  "train_loss": logs["train_loss"], "n_parameters": ae.num_parameters(),
                                  "seconds": round(time.perf_counter() - start, 3)}

    SGD(ae, _LOSSES[loss](), X, X, batch_size=int(batch_size), epochs=epochs[-1], lr=lr, seed=seed,
        progress=False, rule=_RULES[rule](), callbacks=[measure])
    return results


def mlp_task(dataset: str = "usps", hidden: int = 32, activation: str = "tanh", lr: float = 0.05,
             epochs: int = 2, batch_size: int = 32, n_train: int | None = None,
             n_test: int | None = None, seed: int = 0) -> dict:
    """Train a one-hidden-layer classifier; returns ``test_accuracy`` and ``test_error``."""
    X, y, Xt, yt = _dataset(dataset, n_train, n_test)
    net = mlp([X.shape[1], int(hidden), int(y.max()) + 1], activation, rng=seed)
    SGD(net, CrossEntropyLoss(), X, y, batch_size=int(batch_size), epochs=int(epochs), lr=lr, seed=seed,
        progress=False)
    accuracy = float(np.mean(predict(net, Xt).argmax(axis=1) == yt))
    return {"test_accuracy": accuracy, "test_error": 1 - accuracy}


TASKS = {"autoencoder": autoencoder_task, "mlp": mlp_task}

TRAJECTORIES = {"autoencoder": ("epochs", autoencoder_trajectory)}
"""Task name -> (the parameter it can follow, ``f(values, **other params) -> {value: metrics}``):
configurations that differ only in that parameter can share one run (a grid's ``trajectory``)."""
