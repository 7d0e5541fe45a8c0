import numpy as np
import pytest

from flambeau.datasets import gen_arti, make_moons, make_sine_regression


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_gen_arti_shapes_dtypes_and_determinism(kind):
    X, y = gen_arti(kind, n=400, seed=3)
    assert X.shape == (400, 2) and X.dtype == np.float32
    assert y.shape == (400, 1) and set(np.unique(y)) == {-1.0, 1.0}
    X2, y2 = gen_arti(kind, n=400, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, gen_arti(kind, n=400, seed=4)[0])


@pytest.mark.parametrize("kind", [0, 1])
def test_gen_arti_gaussians_are_balanced(kind):
    _, y = gen_arti(kind, n=1001, seed=0)
    assert (y == 1).sum() == 501 and (y == -1).sum() == 500


def test_gen_arti_two_gaussians_geometry():
    X, y = gen_arti(0, n=2000, sigma=0.25, epsilon=0.0, seed=0, center=2.0)
    positive = X[y[:, 0] == 1]
    np.testing.assert_allclose(positive.mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(positive.std(axis=0), [0.5, 0.5], atol=0.05)  # sigma is a variance


def test_gen_arti_xor_labels_follow_the_quadrant():
    X, y = gen_arti(1, n=1000, sigma=0.01, epsilon=0.0, seed=1)
    assert np.array_equal(np.sign(X[:, 0] * X[:, 1]), y[:, 0])


def test_gen_arti_checkerboard_labels():
    X, y = gen_arti(2, n=1000, epsilon=0.0, seed=2)
    assert np.abs(X).max() <= 4
    odd = (np.ceil(X[:, 0]) + np.ceil(X[:, 1])) % 2 == 1
    np.testing.assert_array_equal(np.where(odd, 1.0, -1.0), y[:, 0])
    assert 0.4 < odd.mean() < 0.6


def test_gen_arti_epsilon_is_coordinate_noise():
    X0, _ = gen_arti(0, n=3000, sigma=0.04, epsilon=0.0, seed=0)
    X1, _ = gen_arti(0, n=3000, sigma=0.04, epsilon=0.3, seed=0)
    spread = lambda X: X[X.sum(axis=1) > 0].std(axis=0)  # noqa: E731
    np.testing.assert_allclose(spread(X0), [0.2, 0.2], atol=0.02)
    np.testing.assert_allclose(spread(X1), [np.hypot(0.2, 0.3)] * 2, atol=0.03)


def test_gen_arti_flip_and_label_encodings():
    X, y = gen_arti(0, n=2000, sigma=0.01, epsilon=0.0, seed=0, flip=0.2, labels="01")
    assert y.dtype == np.float32 and set(np.unique(y)) == {0.0, 1.0}
    wrong = ((X.sum(axis=1) > 0) != (y[:, 0] == 1)).mean()
    assert 0.17 < wrong < 0.23
    _, y_int = gen_arti(0, n=10, seed=0, labels="int")
    assert y_int.dtype == np.int64 and y_int.shape == (10,)


def test_gen_arti_errors():
    with pytest.raises(ValueError, match=r"gen_arti: kind must be one of \[0, 1, 2\] \(two gaussians, "
                                         r"four gaussians, checkerboard\), got 3"):
        gen_arti(3)
    with pytest.raises(ValueError, match=r"gen_arti: labels must be one of \['01', 'int', 'pm1'\], got 'x'"):
        gen_arti(0, labels="x")
    with pytest.raises(ValueError, match=r"gen_arti: flip must lie in \[0, 1\], got 1.5"):
        gen_arti(0, flip=1.5)


def test_moons():
    X, y = make_moons(301, noise=0.0, seed=0)
    assert X.shape == (301, 2) and y.dtype == np.int64 and np.bincount(y).tolist() == [151, 150]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-6)
    X1, _ = make_moons(50, noise=0.2, seed=7)
    np.testing.assert_array_equal(X1, make_moons(50, noise=0.2, seed=7)[0])
    assert not np.array_equal(X1, make_moons(50, noise=0.2, seed=8)[0])
    _, y_pm = make_moons(10, seed=0, labels="pm1")
    assert y_pm.shape == (10, 1) and set(np.unique(y_pm)) == {-1.0, 1.0}


def test_sine_regression():
    X, y = make_sine_regression(5000, noise=0.0, seed=0)
    assert X.shape == (5000, 2) and y.shape == (5000, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y[:, 0], np.sin(np.pi * X[:, 0]) + X[:, 1] ** 2, rtol=1e-5, atol=1e-6)
    assert -1 <= X.min() and X.max() <= 1
    _, noisy = make_sine_regression(5000, noise=0.5, seed=0)
    assert abs(float((noisy - y).std()) - 0.5) < 0.03
    np.testing.assert_array_equal(noisy, make_sine_regression(5000, noise=0.5, seed=0)[1])
