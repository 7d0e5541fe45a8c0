import numpy as np
import pytest

from flambeau.datasets import normalize, one_hot, train_val_split


def test_one_hot_hand_worked():
    np.testing.assert_array_equal(one_hot(np.array([2, 0, 1]), 4),
                                  [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert one_hot(np.array([1, 1])).shape == (2, 2) and one_hot(np.array([0])).dtype == np.float32


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"one_hot: labels must lie in 0..2, got range 0..3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"one_hot: y must be integer labels of shape \(n,\), got "
                                         r"dtype float64 shape \(2,\)"):
        one_hot(np.array([0.0, 1.0]))


def test_minmax_fits_train_and_reuses_on_test():
    X_train = np.array([[0.0, 10.0, 5.0], [2.0, 30.0, 5.0]], dtype=np.float32)
    X_test = np.array([[1.0, 50.0, 7.0]], dtype=np.float32)
    Z_train, stats = normalize(X_train)
    np.testing.assert_allclose(Z_train, [[0, 0, 0], [1, 1, 0]])
    Z_test, same = normalize(X_test, stats=stats)
    assert same is stats and Z_test.dtype == np.float32
    np.testing.assert_allclose(Z_test, [[0.5, 2.0, 2.0]])  # constant feature: scale 1
    np.testing.assert_allclose(stats.invert(Z_test), X_test)


def test_standardize_per_feature_and_global():
    X = np.random.default_rng(0).normal(3, 2, size=(500, 4))
    Z, stats = normalize(X, "standard")
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1)
    assert stats.shift.shape == (4,)
    Z_global, global_stats = normalize(X, "standard", per_feature=False)
    assert global_stats.shift.shape == () and abs(Z_global.std() - 1) < 1e-12


def test_normalize_unknown_method():
    with pytest.raises(ValueError, match=r"normalize: method must be one of \['minmax', 'standard'\], "
                                         r"got 'zscore'"):
        normalize(np.zeros((2, 2)), "zscore")


def test_train_val_split_is_stratified_and_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100)[:, None] * np.ones((1, 3))
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction=0.2, seed=4)
    assert np.bincount(y_val).tolist() == [10, 6, 4] and np.bincount(y_train).tolist() == [40, 24, 16]
    assert sorted(X_train[:, 0].tolist() + X_val[:, 0].tolist()) == list(range(100))
    assert np.all(np.diff(X_val[:, 0]) > 0)  # original order kept
    again = train_val_split(X, y, val_fraction=0.2, seed=4)
    np.testing.assert_array_equal(X_val, again[2])
    assert not np.array_equal(X_val, train_val_split(X, y, val_fraction=0.2, seed=5)[2])


def test_train_val_split_one_hot_and_unstratified():
    y = one_hot(np.repeat([0, 1], [90, 10]))
    _, _, _, y_val = train_val_split(np.zeros((100, 1)), y, val_fraction=0.3, seed=0)
    assert y_val.sum(axis=0).tolist() == [27, 3]
    _, _, X_val, _ = train_val_split(np.zeros((100, 1)), y, val_fraction=0.3, stratify=False)
    assert len(X_val) == 30


def test_train_val_split_errors():
    with pytest.raises(ValueError, match=r"train_val_split: val_fraction must lie in \(0, 1\), got 1.0"):
        train_val_split(np.zeros((4, 1)), np.zeros(4, dtype=int), val_fraction=1.0)
    with pytest.raises(ValueError, match="train_val_split: X and y must have the same length, got 4 and 3"):
        train_val_split(np.zeros((4, 1)), np.zeros(3, dtype=int))
