import numpy as np
import pytest

from flambeau.datasets import cut_per_class
from flambeau.datasets.selection import prepare_split, relabel, select_classes


def test_select_and_relabel_hand_worked():
    X = np.arange(6)[:, None]
    y = np.array([5, 1, 3, 5, 1, 0])
    X_kept, y_kept = select_classes(X, y, [5, 1], "t")
    assert X_kept[:, 0].tolist() == [0, 1, 3, 4] and y_kept.tolist() == [5, 1, 5, 1]
    assert relabel(y_kept, [5, 1]).tolist() == [1, 0, 1, 0]


def test_cut_per_class_keeps_order_and_is_seeded():
    y = np.repeat([0, 1, 2], [10, 20, 5])
    X = np.arange(len(y))
    X_cut, y_cut = cut_per_class(X, y, 4, 0, "t")
    assert np.bincount(y_cut).tolist() == [4, 4, 4]
    assert np.all(np.diff(X_cut) > 0) and np.array_equal(y[X_cut], y_cut)
    assert np.array_equal(X_cut, cut_per_class(X, y, 4, 0, "t")[0])
    assert not np.array_equal(X_cut, cut_per_class(X, y, 4, 1, "t")[0])


def test_cut_per_class_errors():
    y = np.array([0, 0, 1])
    with pytest.raises(ValueError, match="cut: n_per_class must be a positive int, got 0"):
        cut_per_class(y, y, 0, 0, "cut")
    with pytest.raises(ValueError, match="cut: n_per_class=2 but class 1 has only 1 samples"):
        cut_per_class(y, y, 2, 0, "cut")


def test_prepare_split_scales_reshapes_and_copies():
    X = np.full((4, 6), 255, dtype=np.uint8)
    y = np.array([0, 1, 1, 0])
    X.flags.writeable = False
    X_train, y_train, X_test, y_test = prepare_split(X, y, X, y, n_classes=2, where="t",
                                                     sample_shape=(2, 3), flatten=False, scale=255.0)
    assert X_train.shape == (4, 2, 3) and X_train.dtype == np.float32 and X_train.max() == 1.0
    assert X_train.flags.writeable and y_train.dtype == np.int64
    tabular = prepare_split(X, y, X, y, n_classes=2, where="t", flatten=False, one_hot=True)
    assert tabular[0].shape == (4, 6) and tabular[1].shape == (4, 2)
