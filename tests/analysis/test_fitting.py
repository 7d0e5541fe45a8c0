"""train_autoencoder and per_feature_loss."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import SGD, AutoEncoder, BCELoss, MSELoss
from flambeau.analysis import corruption, per_feature_loss, train_autoencoder
from flambeau.rules import GradientDescent


def test_loss_decreases_and_history_keys(usps_small):
    X_train, _, X_test, _ = usps_small
    ae = AutoEncoder.symmetric(256, 8, hidden=[32], rng=1)
    before = float(per_feature_loss(ae, BCELoss(), X_test).mean())
    history = train_autoencoder(ae, X_train, epochs=4, batch_size=32, lr=3e-3, X_val=X_test,
                                lr_decay=0.5, seed=0, progress=False)
    assert set(history) == {"train_loss", "train_loss_per_feature", "lr", "epoch_time",
                            "val_loss_per_feature"}
    assert history["lr"] == pytest.approx([3e-3, 1.5e-3, 7.5e-4, 3.75e-4])
    np.testing.assert_allclose(history["train_loss_per_feature"], np.array(history["train_loss"]) / 256)
    assert history["val_loss_per_feature"][-1] < 0.8 * before
    assert history["val_loss_per_feature"][-1] == pytest.approx(
        float(per_feature_loss(ae, BCELoss(), X_test).mean()))


def test_same_seed_same_run(usps_small):
    X = usps_small[0][:64]
    runs = []
    for _ in range(2):
        ae = AutoEncoder.symmetric(256, 4, steps=1, rng=0)
        runs.append(train_autoencoder(ae, X, epochs=2, batch_size=16, seed=3, progress=False)["train_loss"])
    assert runs[0] == runs[1]


def test_corruption_feeds_noisy_inputs_and_clean_targets(usps_small):
    X = usps_small[0][:40]
    seen = []

    def corrupt(batch, rng):
        seen.append(batch.copy())
        return np.zeros_like(batch)

    ae = AutoEncoder.symmetric(256, 4, steps=1, rng=0)
    train_autoencoder(ae, X, loss=MSELoss(), epochs=1, batch_size=16, rule=GradientDescent(),
                      lr=0.01, corrupt=corrupt, seed=0, progress=False)
    assert [len(b) for b in seen] == [16, 16, 8]
    assert sorted(map(tuple, np.concatenate(seen))) == sorted(map(tuple, X))
    noisy = corruption("uniform", 0.4)(X, np.random.default_rng(0))
    assert noisy.shape == X.shape and 0 < np.abs(noisy - X).max() <= 0.4 + 1e-6


def test_per_feature_loss_is_loss_over_features(trained_ae, usps_small):
    X = usps_small[2][:10]
    expected = BCELoss().forward(X, trained_ae.forward(X)) / 256
    np.testing.assert_allclose(per_feature_loss(trained_ae, BCELoss(), X), expected, rtol=1e-6)


def test_lr_decay_multiplies_the_learning_rate_after_each_epoch(usps_small):
    """The decay is ``lr *= lr_decay`` after each epoch (the chained ExponentialLR), bit for bit."""
    X = usps_small[0][:48]
    ae = AutoEncoder.symmetric(256, 4, steps=1, rng=0)
    history = train_autoencoder(ae, X, epochs=6, batch_size=16, lr=3e-3, lr_decay=0.95, seed=0,
                                progress=False)
    expected = [3e-3]
    for _ in range(5):
        expected.append(expected[-1] * 0.95)
    assert history["lr"] == expected
    with pytest.raises(ValueError, match=r"train_autoencoder: lr_decay must lie in \(0, 1\], got 1.5"):
        train_autoencoder(ae, X, lr_decay=1.5)


def test_it_is_sgd_with_the_input_as_target(usps_small):
    """Same loop as SGD: a plain run equals SGD(ae, loss, X, X) with the same options."""
    X = usps_small[0][:40]
    a, b = (AutoEncoder.symmetric(256, 4, steps=1, rng=0) for _ in range(2))
    ours = train_autoencoder(a, X, loss=MSELoss(), epochs=2, batch_size=16, rule=GradientDescent(),
                             lr=0.05, seed=1, progress=False, reduction="sum")
    sgd = SGD(b, MSELoss(), X, X, 16, 2, lr=0.05, seed=1, progress=False, rule=GradientDescent(),
              reduction="sum")
    assert ours["train_loss"] == sgd["train_loss"]
    for key, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[key], err_msg=key)


def test_errors():
    ae = AutoEncoder.symmetric(4, 2, steps=1)
    with pytest.raises(ValueError, match="train_autoencoder: epochs must be a non-negative int, got -1"):
        train_autoencoder(ae, np.zeros((4, 4), np.float32), epochs=-1)
    with pytest.raises(ValueError, match="train_autoencoder: batch_size must be a positive int, got 0"):
        train_autoencoder(ae, np.zeros((4, 4), np.float32), batch_size=0)
    with pytest.raises(ValueError, match="Optim: reduction must be 'mean' .* or 'sum' .*, got 'max'"):
        train_autoencoder(ae, np.zeros((4, 4), np.float32), reduction="max")
