"""Tasks a sweep can run: plain functions ``task(**params) -> dict of numbers``.

They are module-level functions (picklable), so joblib processes and Dask workers can import
and call them. Datasets are cached per process.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..autoencoder import AutoEncoder
from ..callbacks import Callback
from ..files import read_json, write_json
from ..losses import BCELoss, CrossEntropyLoss, DomainError, MSELoss
from ..rules import Adam, GradientDescent
from ..training import SGD, DivergenceError, predict
from .common import mlp
from .data import load

__all__ = ["TASKS", "TRAJECTORIES", "autoencoder_task", "autoencoder_trajectory", "mlp_task"]

_LOSSES = {"mse": MSELoss, "bce": BCELoss}
_RULES = {"sgd": GradientDescent, "adam": Adam}
_REDUCTIONS = {"mean", "sum"}


@functools.lru_cache(maxsize=4)
def _dataset(name: str, n_train: int | None, n_test: int | None):
    X, y, Xt, yt = load(name)
    return X[:n_train], y[:n_train], Xt[:n_test], yt[:n_test]


def autoencoder_task(dataset: str = "mnist", loss: str = "mse", lr: float = 0.01, epochs: int = 10,
                     batch_size: int = 32, latent: int = 16, steps: int = 2, activation: str = "tanh",
                     init: str = "uniform", rule: str = "sgd", reduction: str = "mean",
                     n_train: int | None = None, n_test: int | None = None, seed: int = 0,
                     features: str = "sum") -> dict:
    """Train ``AutoEncoder.symmetric(d, latent, steps)`` and measure reconstruction on the test set.

    ``activation`` names the hidden units (``"tanh"``, ``"leaky_relu"``...), ``init`` a
    ``flambeau.init`` initialiser (``"normal"`` is the course's ``randn * 0.1``), ``rule`` is
    ``"sgd"`` (plain gradient descent) or ``"adam"``, ``reduction`` the gradient convention
    (``"sum"``: the course's summed gradient; ``"mean"``: PyTorch's), ``features`` how the training
    loss of an image treats its pixels (``"sum"``: summed; ``"mean"``: averaged, as torch's losses).

    Returns:
        ``test_mse`` and ``test_bce`` (per pixel, whatever the training loss), ``train_loss``
        (last epoch, the training loss per image) and ``n_parameters``.

    Raises:
        DivergenceError: the training loss became NaN or infinite.
    """
    metrics = autoencoder_trajectory([epochs], dataset=dataset, loss=loss, lr=lr, batch_size=batch_size,
                                     latent=latent, steps=steps, activation=activation, init=init,
                                     rule=rule, reduction=reduction, n_train=n_train, n_test=n_test,
                                     seed=seed, features=features)[epochs]
    if "error" in metrics:
        raise DivergenceError(metrics["error"])
    del metrics["seconds"]
    return metrics


class _Measure(Callback):
    """After each epoch of ``epochs``: test reconstruction errors, saved to ``sidecar`` if given.

    ``seconds`` is the training time up to that epoch (the history's ``epoch_time``, restored
    with a checkpoint, so a resumed run reports the time of an uninterrupted one).
    """

    def __init__(self, ae, Xt, epochs, results: dict, sidecar: Path | None):
        self.ae, self.Xt, self.epochs, self.results, self.sidecar = ae, Xt, epochs, results, sidecar

    def on_epoch_end(self, epoch, logs):
        if epoch + 1 not in self.epochs:
            return
        recon, pixels = predict(self.ae, self.Xt), self.Xt.shape[1]
        self.results[epoch + 1] = {
            "test_mse": float(MSELoss().forward(self.Xt, recon).mean() / pixels),
            "test_bce": float(BCELoss().forward(self.Xt, recon).mean() / pixels),
            "train_loss": logs["train_loss"], "n_parameters": self.ae.num_parameters(),
            "seconds": round(float(sum(self.trainer.history["epoch_time"])), 3)}
        if self.sidecar is not None:
            write_json(self.sidecar, {str(e): m for e, m in self.results.items()})


def autoencoder_trajectory(epochs, dataset: str = "mnist", loss: str = "mse", lr: float = 0.01,
                           batch_size: int = 32, latent: int = 16, steps: int = 2, activation: str = "tanh",
                           init: str = "uniform", rule: str = "sgd", reduction: str = "mean",
                           n_train: int | None = None, n_test: int | None = None, seed: int = 0,
                           checkpoint=None, features: str = "sum") -> dict[int, dict]:
    """``autoencoder_task`` for several epoch counts in one run: trains to ``max(epochs)`` and
    measures after each epoch count of ``epochs`` on the way.

    The learning rate is constant (plain gradient descent or Adam, no schedule) and the
    shuffling draws one order per epoch, so the network after ``e`` epochs of a longer run is
    the network a run of ``e`` epochs ends with.

    Args:
        epochs: the epoch counts to measure at.
        checkpoint: optional path (``.npz``) of a training checkpoint written after every epoch,
            with the measurements so far beside it (``<path>.json``); when it exists the run
            resumes from it (same result as an uninterrupted run). Both files are removed once
            the run ends.
        others: as ``autoencoder_task``.

    Returns:
        ``{e: metrics}`` with ``autoencoder_task``'s metrics plus ``seconds`` (training time up
        to that measurement). If training diverges (NaN or infinite loss), the epoch counts
        measured before stay, and each later one maps to ``{"error": "DivergenceError: ..."}``.
    """
    epochs = sorted({int(e) for e in epochs})
    if not epochs or epochs[0] < 1:
        raise ValueError(f"autoencoder_task: epochs must be positive ints, got {epochs!r}")
    for name, value, known in (("loss", loss, _LOSSES), ("rule", rule, _RULES),
                               ("reduction", reduction, _REDUCTIONS), ("features", features, _REDUCTIONS)):
        if value not in known:
            raise ValueError(f"autoencoder_task: {name} must be one of {sorted(known)}, got {value!r}")
    X, _, Xt, _ = _dataset(dataset, n_train, n_test)
    ae = AutoEncoder.symmetric(X.shape[1], int(latent), steps=int(steps), activation=activation, init=init,
                               rng=seed)
    checkpoint = None if checkpoint is None else Path(checkpoint)
    sidecar = None if checkpoint is None else checkpoint.with_name(checkpoint.name + ".json")
    resume = checkpoint if checkpoint is not None and checkpoint.exists() else None
    results = ({int(e): m for e, m in read_json(sidecar).items()}
               if resume is not None and sidecar.exists() else {})
    try:
        SGD(ae, _LOSSES[loss](features=features), X, X, batch_size=int(batch_size), epochs=epochs[-1], lr=lr,
            seed=seed,
            progress=False, rule=_RULES[rule](), reduction=reduction,
            callbacks=[_Measure(ae, Xt, epochs, results, sidecar)], checkpoint=checkpoint, resume=resume)
    except (DivergenceError, DomainError) as error:  # recorded per epoch count, not fatal
        failure = {"error": f"{type(error).__name__}: {error}"}
        results.update({e: dict(failure) for e in epochs if e not in results})
    for path in (checkpoint, sidecar):
        if path is not None:
            path.unlink(missing_ok=True)
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
configurations that differ only in that parameter can share one run (a grid's ``trajectory``).
``f`` also takes ``checkpoint=PATH`` (resume an interrupted run); a value it could not reach
maps to ``{"error": text}``."""
