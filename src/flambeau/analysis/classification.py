"""Classification on latent codes versus on raw pixels: same classifier, same budget."""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import f1_score

from ..containers import Sequential
from ..layers.activations import TanH
from ..layers.linear import Linear
from ..losses import CrossEntropyLoss
from ..metrics import predict_classes
from ..random import make_rng
from ..rules import Adam
from ..training import SGD, predict
from .codes import encode

__all__ = ["classifier_scores", "latent_classification_study"]


def classifier_scores(X_train, y_train, X_test, y_test, hidden: int = 64, epochs: int = 10,
                      batch_size: int = 128, lr: float = 1e-3, seed=0, progress: bool = False) -> dict:
    """Train ``Linear(d, hidden) -> TanH -> Linear(hidden, classes)`` with cross-entropy and Adam.

    Returns:
        ``accuracy`` and ``macro_f1`` on the test set, ``train_accuracy``, ``final_train_loss``,
        ``seconds`` of training, ``input_dim``.
    """
    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    n_classes = int(max(np.max(y_train), np.max(y_test))) + 1
    rng = make_rng(seed)
    net = Sequential(Linear(X_train.shape[1], hidden, rng=rng), TanH(), Linear(hidden, n_classes, rng=rng))
    start = time.perf_counter()
    history = SGD(net, CrossEntropyLoss(), X_train, y_train, batch_size=batch_size, epochs=epochs,
                  lr=lr, rule=Adam(), seed=rng, progress=progress)
    seconds = time.perf_counter() - start
    predicted = predict_classes(predict(net, X_test))
    return {"accuracy": float((predicted == y_test).mean()),
            "macro_f1": float(f1_score(y_test, predicted, average="macro")),
            "train_accuracy": float((predict_classes(predict(net, X_train)) == y_train).mean()),
            "final_train_loss": float(history["train_loss"][-1]), "seconds": seconds,
            "input_dim": int(X_train.shape[1])}


def latent_classification_study(model, X_train, y_train, X_test, y_test, hidden: int = 64,
                                epochs: int = 10, batch_size: int = 128, lr: float = 1e-3, seed=0,
                                progress: bool = False) -> dict:
    """The same classifier (``classifier_scores``), same epochs and seed, trained on the codes
    ``model.encode(X)`` and on the raw pixels ``X``.

    Returns:
        ``{"latent": scores, "raw": scores, "accuracy_gap": raw - latent accuracy}``.
    """
    options = {"hidden": hidden, "epochs": epochs, "batch_size": batch_size, "lr": lr, "progress": progress}
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    latent = classifier_scores(encode(model, X_train), y_train, encode(model, X_test), y_test,
                               seed=seed, **options)
    raw = classifier_scores(X_train, y_train, X_test, y_test, seed=seed, **options)
    return {"latent": latent, "raw": raw, "accuracy_gap": raw["accuracy"] - latent["accuracy"]}
