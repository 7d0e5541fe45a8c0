"""Metrics on predictions. ``accuracy`` understands every output head of the library."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "labels_of", "predict_classes"]


def predict_classes(yhat) -> np.ndarray:
    """Class predictions from network outputs ``(batch, classes)`` (argmax) or ``(batch, 1)``
    / ``(batch,)`` probabilities of the positive class (threshold 0.5)."""
    yhat = np.asarray(yhat)
    if yhat.ndim == 2 and yhat.shape[1] > 1:
        return yhat.argmax(axis=1)
    return (yhat.reshape(len(yhat)) > 0.5).astype(np.int64)


def labels_of(y) -> np.ndarray:
    """Integer labels from labels ``(batch,)``, one-hot rows ``(batch, K)`` or 0/1 columns."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(len(y)).round().astype(np.int64)


def accuracy(y, yhat) -> float:
    """Share of samples whose predicted class (see ``predict_classes``) equals the target."""
    y_true, y_pred = labels_of(y), predict_classes(yhat)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"accuracy: targets give {y_true.shape[0]} labels but predictions "
                         f"{y_pred.shape[0]}")
    return float((y_true == y_pred).mean()) if len(y_true) else float("nan")
