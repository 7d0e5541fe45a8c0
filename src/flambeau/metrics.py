"""Metrics on predictions, all called ``metric(y, yhat)`` like the losses.

``y`` holds integer labels ``(n,)`` or one-hot rows ``(n, K)``; ``yhat`` holds network
outputs ``(n, K)`` (scores, probabilities or log-probabilities: the argmax is the class) or
positive-class probabilities ``(n, 1)`` / ``(n,)``. ``accuracy`` understands every output head
of the library. Conventions follow scikit-learn (rows of the confusion matrix are true
classes; macro averages run over the classes present in ``y`` or in the predictions; a
precision or recall of 0 / 0 counts as 0).
"""

from __future__ import annotations

import numpy as np

from ._checks import ShapeError, as_float

__all__ = ["METRICS", "accuracy", "confusion_matrix", "f1_score", "labels_of", "precision",
           "precision_recall_f1", "predict_classes", "purity", "recall", "top_k_accuracy"]


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


def _checked(where: str, name: str, value) -> np.ndarray:
    """Labels or outputs as an array of numbers ``(n,)`` or ``(n, K)``."""
    array = as_float(value, where, name, int_dtype=None)
    if array.ndim not in (1, 2):
        raise ShapeError(f"{where}: {name} must have shape (n,) or (n, classes), got {array.shape}")
    return array


def _pair(where: str, y, yhat) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = labels_of(_checked(where, "y", y)), predict_classes(_checked(where, "yhat", yhat))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{where}: targets give {y_true.shape[0]} labels but predictions "
                         f"{y_pred.shape[0]}")
    return y_true, y_pred


def accuracy(y, yhat) -> float:
    """Share of samples whose predicted class (see ``predict_classes``) equals the target."""
    y_true, y_pred = _pair("accuracy", y, yhat)
    return float((y_true == y_pred).mean()) if len(y_true) else float("nan")


def confusion_matrix(y, yhat, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as ``j``, ``(K, K)`` int64.

    ``K`` is ``num_classes``, or the largest label seen plus one.
    """
    y_true, y_pred = _pair("confusion_matrix", y, yhat)
    if len(y_true) and min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("confusion_matrix: labels must be >= 0")
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    K = seen if num_classes is None else int(num_classes)
    if K < seen:
        raise ValueError(f"confusion_matrix: num_classes={num_classes} but label {seen - 1} occurs")
    return np.bincount(y_true * K + y_pred, minlength=K * K).reshape(K, K).astype(np.int64)


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def precision_recall_f1(y, yhat) -> dict[str, float]:
    """Macro-averaged ``{"precision", "recall", "f1"}``.

    Per class ``k``: ``P_k = TP / (TP + FP)``, ``R_k = TP / (TP + FN)``,
    ``F1_k = 2 P_k R_k / (P_k + R_k)``; each is averaged over the classes present in the
    targets or the predictions (scikit-learn's ``average="macro"``).
    """
    C = confusion_matrix(y, yhat)
    present = (C.sum(axis=0) + C.sum(axis=1)) > 0
    tp = np.diag(C)[present].astype(np.float64)
    predicted, actual = C.sum(axis=0)[present], C.sum(axis=1)[present]
    p, r = _safe_ratio(tp, predicted), _safe_ratio(tp, actual)
    f1 = _safe_ratio(2 * p * r, p + r)
    if not present.any():
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    return {"precision": float(p.mean()), "recall": float(r.mean()), "f1": float(f1.mean())}


def precision(y, yhat) -> float:
    """Macro-averaged precision (see ``precision_recall_f1``)."""
    return precision_recall_f1(y, yhat)["precision"]


def recall(y, yhat) -> float:
    """Macro-averaged recall (see ``precision_recall_f1``)."""
    return precision_recall_f1(y, yhat)["recall"]


def f1_score(y, yhat) -> float:
    """Macro-averaged F1 (see ``precision_recall_f1``)."""
    return precision_recall_f1(y, yhat)["f1"]


def top_k_accuracy(y, yhat, k: int = 5) -> float:
    """Share of samples whose true class is among the ``k`` highest scores of ``yhat`` ``(n, K)``."""
    scores = np.asarray(yhat)
    if scores.ndim != 2:
        raise ValueError(f"top_k_accuracy: yhat must have shape (batch, classes), got {scores.shape}")
    if not (isinstance(k, (int, np.integer)) and 1 <= k):
        raise ValueError(f"top_k_accuracy: k must be a positive int, got {k!r}")
    y_true = labels_of(y)
    if y_true.shape[0] != scores.shape[0]:
        raise ValueError(f"top_k_accuracy: targets give {y_true.shape[0]} labels but predictions "
                         f"{scores.shape[0]}")
    if k >= scores.shape[1]:
        return 1.0 if len(y_true) else float("nan")
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return float((top == y_true[:, None]).any(axis=1).mean()) if len(y_true) else float("nan")


def purity(labels, clusters) -> float:
    """Share of samples whose cluster's majority label is their own:
    ``(1/n) sum_clusters max_label |cluster ∩ label|``; 1 when no cluster mixes labels.

    Arguments in scikit-learn's order (true labels first, then the cluster assignment), both
    ``(n,)``. Undefined on no sample: NaN.
    """
    labels, clusters = np.asarray(labels), np.asarray(clusters)
    if labels.shape != clusters.shape or labels.ndim != 1:
        raise ValueError(f"purity: labels and clusters must be two (n,) arrays, got {labels.shape} "
                         f"and {clusters.shape}")
    if len(labels) == 0:
        return float("nan")
    _, label_ids = np.unique(labels, return_inverse=True)
    _, cluster_ids = np.unique(clusters, return_inverse=True)
    counts = np.zeros((cluster_ids.max() + 1, label_ids.max() + 1), dtype=np.int64)
    np.add.at(counts, (cluster_ids, label_ids), 1)
    return float(counts.max(axis=1).sum() / len(labels))


METRICS = {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1_score,
           "top5_accuracy": top_k_accuracy}
"""Metric name -> function, for ``SGD(metrics=["f1", ...])``."""
