"""Metrics against scikit-learn on random labels and scores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from flambeau import metrics


@pytest.fixture(params=[0, 1, 2])
def data(request):
    rng = np.random.default_rng(request.param)
    K = 5
    y = rng.integers(0, K, 200)
    scores = rng.normal(size=(200, K)) + 1.5 * np.eye(K)[y]  # better than chance, not perfect
    return y, scores


def test_accuracy_and_confusion_matrix(data):
    y, scores = data
    pred = scores.argmax(axis=1)
    assert metrics.accuracy(y, scores) == pytest.approx(skm.accuracy_score(y, pred))
    np.testing.assert_array_equal(metrics.confusion_matrix(y, scores), skm.confusion_matrix(y, pred))
    onehot = np.eye(5)[y]
    np.testing.assert_array_equal(metrics.confusion_matrix(onehot, scores),
                                  skm.confusion_matrix(y, pred))


def test_macro_precision_recall_f1(data):
    y, scores = data
    pred = scores.argmax(axis=1)
    result = metrics.precision_recall_f1(y, scores)
    assert result["precision"] == pytest.approx(skm.precision_score(y, pred, average="macro"))
    assert result["recall"] == pytest.approx(skm.recall_score(y, pred, average="macro"))
    assert result["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert metrics.f1_score(y, scores) == result["f1"]
    assert metrics.precision(y, scores) == result["precision"]
    assert metrics.recall(y, scores) == result["recall"]


def test_a_class_never_predicted_counts_zero_like_sklearn():
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 1, 1, 1, 0])  # class 2 never predicted: precision 0/0
    scores = np.eye(3)[pred]
    expected = skm.precision_recall_fscore_support(y, pred, average="macro", zero_division=0)
    result = metrics.precision_recall_f1(y, scores)
    assert (result["precision"], result["recall"], result["f1"]) == pytest.approx(expected[:3])


def test_binary_probability_head():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 100)
    p = rng.random((100, 1))
    pred = (p[:, 0] > 0.5).astype(int)
    assert metrics.f1_score(y, p) == pytest.approx(skm.f1_score(y, pred, average="macro"))
    np.testing.assert_array_equal(metrics.confusion_matrix(y, p, num_classes=2),
                                  skm.confusion_matrix(y, pred, labels=[0, 1]))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_accuracy(data, k):
    y, scores = data
    expected = skm.top_k_accuracy_score(y, scores, k=k, labels=np.arange(5))
    assert metrics.top_k_accuracy(y, scores, k=k) == pytest.approx(expected)
    assert metrics.top_k_accuracy(y, scores, k=5) == 1.0


def test_errors():
    with pytest.raises(ValueError) as info:
        metrics.confusion_matrix([0, 3], np.eye(4)[[0, 3]], num_classes=2)
    assert str(info.value) == "confusion_matrix: num_classes=2 but label 3 occurs"
    with pytest.raises(ValueError) as info:
        metrics.accuracy([0, 1, 2], np.eye(3)[[0, 1]])
    assert str(info.value) == "accuracy: targets give 3 labels but predictions 2"
    with pytest.raises(ValueError) as info:
        metrics.top_k_accuracy([0, 1], np.ones((2, 3)), k=0)
    assert str(info.value) == "top_k_accuracy: k must be a positive int, got 0"
    with pytest.raises(ValueError) as info:
        metrics.top_k_accuracy([0, 1], np.ones(2))
    assert str(info.value) == "top_k_accuracy: yhat must have shape (batch, classes), got (2,)"


def test_registry_names():
    assert sorted(metrics.METRICS) == ["accuracy", "f1", "precision", "recall", "top5_accuracy"]


def test_purity_hand_worked():
    labels = np.array([0, 0, 0, 1, 1, 2])
    clusters = np.array([5, 5, 7, 7, 7, 7])
    # cluster 5: {0, 0} -> 2; cluster 7: {0, 1, 1, 2} -> 2; (2 + 2) / 6
    assert metrics.purity(labels, clusters) == pytest.approx(4 / 6)
    assert metrics.purity(labels, np.arange(6)) == 1.0
    # labels first, clusters second: a single cluster of two labels is half pure
    assert metrics.purity(np.array([0, 1]), np.array([3, 3])) == 0.5


def test_purity_refuses_mismatched_shapes_and_is_nan_on_no_sample():
    with pytest.raises(ValueError, match=r"purity: labels and clusters must be two \(n,\) arrays, "
                                         r"got \(6,\) and \(5,\)"):
        metrics.purity(np.zeros(6), np.zeros(5))
    assert np.isnan(metrics.purity(np.array([]), np.array([])))
