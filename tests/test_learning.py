"""Learning tests: the networks of the course actually learn."""

import numpy as np

import flambeau as fb
from flambeau.datasets import load_usps


def xor_gaussians(n, rng, sigma=0.3):
    """Four gaussians at (+-1, +-1); label 1 where the signs agree (the XOR problem)."""
    centers = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    which = rng.integers(0, 4, n)
    X = centers[which] + sigma * rng.normal(size=(n, 2))
    return X.astype(np.float32), (which < 2).astype(np.float32).reshape(-1, 1)


def test_two_layer_net_solves_xor():
    rng = np.random.default_rng(0)
    X, y = xor_gaussians(400, rng)
    X_test, y_test = xor_gaussians(400, rng)
    net = fb.Sequential(fb.Linear(2, 10, rng=1), fb.TanH(), fb.Linear(10, 1, rng=2), fb.Sigmoid())
    fb.SGD(net, fb.BCELoss(), X, y, batch_size=16, epochs=60, eps=0.2, seed=3, progress=False)
    assert fb.accuracy(y_test, fb.predict(net, X_test)) >= 0.95


def test_mlp_on_embedded_usps():
    X_train, y_train, X_test, y_test = load_usps()
    net = fb.Sequential(fb.Linear(256, 100, rng=0), fb.TanH(), fb.Linear(100, 10, rng=1))
    history = fb.SGD(net, fb.CrossEntropyLoss(), X_train, y_train, batch_size=32, epochs=8,
                     eps=0.1, seed=0, X_val=X_test, Y_val=y_test, progress=False)
    assert history["val_accuracy"][-1] >= 0.90
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_overfits_five_samples():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    net = fb.Sequential(fb.Linear(4, 32, rng=0, dtype=np.float64), fb.TanH(),
                        fb.Linear(32, 2, rng=1, dtype=np.float64))
    history = fb.SGD(net, fb.MSELoss(), X, y, batch_size=5, epochs=3000, eps=0.05, seed=0,
                     progress=False)
    assert history["train_loss"][-1] < 1e-4


def test_sgd_is_deterministic_with_a_seed():
    X_train, y_train, _, _ = load_usps()
    X, y = X_train[:500], y_train[:500]

    def run():
        net = fb.Sequential(fb.Linear(256, 20, rng=0), fb.TanH(), fb.Linear(20, 10, rng=1))
        fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=32, epochs=2, eps=0.1, seed=5,
               progress=False)
        return net.parameters()["0.W"]

    np.testing.assert_array_equal(run(), run())
