import numpy as np
import pytest

from flambeau.datasets import load_digits, load_iris


def test_iris_split_is_stratified_and_seeded():
    X_train, y_train, X_test, y_test = load_iris()
    assert X_train.shape == (105, 4) and X_test.shape == (45, 4) and X_train.dtype == np.float32
    assert np.bincount(y_test).tolist() == [15, 15, 15] and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_test, load_iris()[2])
    assert not np.array_equal(X_test, load_iris(seed=1)[2])
    # the split is a partition of sklearn's 150 flowers
    from sklearn.datasets import load_iris as sk_iris
    rows = {tuple(r) for r in np.round(sk_iris().data, 2)}
    both = np.round(np.concatenate([X_train, X_test]).astype(np.float64), 2)
    assert {tuple(r) for r in both} == rows


def test_iris_options():
    X_train, y_train, X_test, y_test = load_iris(classes=[2, 1], one_hot=True, n_per_class=10)
    assert X_train.shape == (20, 4) and y_train.sum(axis=0).tolist() == [10, 10]
    assert y_test.shape == (30, 2)


def test_digits():
    X_train, y_train, X_test, y_test = load_digits(flatten=False)
    assert X_train.shape == (1347, 8, 8) and X_test.shape == (450, 8, 8)
    assert X_train.min() == 0 and X_train.max() == 1 and X_train.dtype == np.float32
    assert np.bincount(y_train).sum() == 1347 and np.bincount(y_test).min() >= 44
    assert load_digits()[0].shape == (1347, 64)


def test_digits_unknown_class():
    with pytest.raises(ValueError, match=r"load_digits: classes \[10\] not in the labels"):
        load_digits(classes=[10])
