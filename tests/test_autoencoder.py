"""AutoEncoder: building, symmetric sizes, errors, the backward passes' caching, training, saving
with ties (gradients, PyTorch agreement, accumulation, tied and untied: the check battery and its
cases, tests/test_modules.py)."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import SGD, BCELoss, LeakyReLU, Linear, Optim, Sequential, Sigmoid, TanH, default_dtype
from flambeau.autoencoder import AutoEncoder, symmetric_sizes
from flambeau.layers.tied import TiedLinear
from flambeau.serialization import load


def _kinds(seq):
    return [type(m).__name__ for m in seq]


def test_symmetric_sizes_geometric_and_explicit():
    assert symmetric_sizes(784, 30, steps=3) == [784, 264, 89, 30]
    assert symmetric_sizes(256, 10, steps=2) == [256, 51, 10]
    assert symmetric_sizes(784, 16, steps=4) == [784, 296, 112, 42, 16]
    assert symmetric_sizes(784, 64, steps=1) == [784, 64]
    assert symmetric_sizes(256, 10, hidden=[100]) == [256, 100, 10]


def test_symmetric_layers_exact():
    ae = AutoEncoder.symmetric(784, 30, hidden=[264, 88], activation=LeakyReLU(0.01), rng=0)
    assert ae.sizes == [784, 264, 88, 30]
    assert _kinds(ae.encoder) == ["Linear", "LeakyReLU"] * 3
    assert _kinds(ae.decoder) == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear", "Sigmoid"]
    assert [(m.input, m.output) for m in ae.decoder if isinstance(m, Linear)] == [
        (30, 88), (88, 264), (264, 784)]
    assert ae.encoder[1].alpha == 0.01 and ae.encoder[1] is not ae.encoder[3]
    assert not ae.tied
    assert ae.num_parameters() == 2 * (784 * 264 + 264 * 88 + 88 * 30) + (264 + 88 + 30) + (88 + 264 + 784)


def test_symmetric_tied_and_options():
    ae = AutoEncoder.symmetric(256, 10, hidden=[100], tied=True, latent_activation="identity",
                               output=None, rng=0)
    assert ae.tied
    assert _kinds(ae.encoder) == ["Linear", "TanH", "Linear", "Identity"]
    assert _kinds(ae.decoder) == ["TiedLinear", "TanH", "TiedLinear"]
    assert ae.decoder[0].twin is ae.encoder[2] and ae.decoder[2].twin is ae.encoder[0]
    assert list(ae.parameters()) == ["encoder.0.W", "encoder.0.b", "encoder.2.W", "encoder.2.b",
                                     "decoder.0.b", "decoder.2.b"]
    assert ae.num_parameters() == 256 * 100 + 100 * 10 + 100 + 10 + 100 + 256


def test_encode_decode_forward_shapes():
    ae = AutoEncoder.symmetric(12, 3, steps=2, rng=0)
    X = np.random.default_rng(0).uniform(size=(5, 12)).astype(np.float32)
    Z = ae.encode(X)
    assert Z.shape == (5, 3)
    assert ae.decode(Z).shape == (5, 12)
    out = ae.forward(X)
    assert out.shape == (5, 12) and out.dtype == np.float32
    np.testing.assert_allclose(out, ae.decode(ae.encode(X)))
    assert ae(X).min() >= 0 and ae(X).max() <= 1


def test_errors():
    with pytest.raises(TypeError, match="AutoEncoder: encoder must be a Module, got int"):
        AutoEncoder(3, Sequential())
    with pytest.raises(ValueError, match="AutoEncoder.symmetric: latent_dim must be a positive int, got 0"):
        AutoEncoder.symmetric(10, 0)
    with pytest.raises(ValueError, match=r"AutoEncoder.symmetric: hidden sizes must be positive ints, "
                                         r"got \[5, -1\]"):
        AutoEncoder.symmetric(10, 2, hidden=[5, -1])
    with pytest.raises(ValueError, match="AutoEncoder.symmetric: unknown activation 'tahn'"):
        AutoEncoder.symmetric(10, 2, activation="tahn")
    with pytest.raises(TypeError, match="AutoEncoder.symmetric: output must be an activation name"):
        AutoEncoder.symmetric(10, 2, output=3)
    with pytest.raises(RuntimeError, match="AutoEncoder.backward: call forward before backward"):
        AutoEncoder.symmetric(10, 2).backward(np.ones((1, 10)))
    ae = AutoEncoder.symmetric(10, 2)
    with pytest.raises(ValueError, match=r"Linear.forward: X must have shape \(batch, 10\), got \(4, 9\)"):
        ae.forward(np.ones((4, 9), dtype=np.float32))


def test_config_and_repr():
    ae = AutoEncoder.symmetric(6, 2, rng=0)
    rebuilt = type(ae)(**ae.get_config())
    assert rebuilt.encoder is ae.encoder and rebuilt.decoder is ae.decoder
    assert repr(ae).startswith("AutoEncoder(\n  (encoder): Sequential(")


def test_backward_delta_reuses_update_pass():
    """After backward_update_gradient, backward_delta with the same delta skips the decoder."""
    with default_dtype(np.float64):
        ae = AutoEncoder.symmetric(6, 2, rng=0)
    X = np.random.default_rng(0).uniform(size=(4, 6))
    delta = BCELoss().backward(X, ae.forward(X))
    fresh = ae.backward_delta(X, delta)  # no pending pass: computed through both parts
    ae.backward_update_gradient(X, delta)
    calls = []
    original = ae.decoder.backward_delta
    ae.decoder.backward_delta = lambda *a: calls.append(1) or original(*a)
    np.testing.assert_allclose(ae.backward_delta(X, delta), fresh)
    assert calls == []
    np.testing.assert_allclose(ae.backward(delta), fresh)


def test_backward_needs_the_input_of_the_last_forward():
    with default_dtype(np.float64):
        ae = AutoEncoder.symmetric(6, 2, rng=0)
    X = np.random.default_rng(0).uniform(size=(4, 6))
    with pytest.raises(RuntimeError, match=r"^AutoEncoder.backward_delta: no forward pass to go back "
                                           r"through; call forward\(input\) first"):
        ae.backward_delta(X, X)
    with pytest.raises(RuntimeError, match=r"^AutoEncoder.backward: call forward before backward$"):
        ae.backward(X)
    delta = BCELoss().backward(X, ae.forward(X))
    with pytest.raises(RuntimeError, match=r"^AutoEncoder.backward_update_gradient: input has shape "
                                           r"\(3, 6\), the last forward's had \(4, 6\)"):
        ae.backward_update_gradient(X[:3], delta[:3])
    np.testing.assert_array_equal(ae.backward_delta(X.copy(), delta), ae.backward(delta))


def test_trains_with_optim_and_sgd():
    rng = np.random.default_rng(0)
    prototypes = rng.uniform(size=(3, 16)) > 0.5
    X = prototypes[rng.integers(0, 3, 96)].astype(np.float32)
    for tied in (False, True):
        ae = AutoEncoder.symmetric(16, 3, hidden=[8], tied=tied, rng=0)
        before = Optim(ae, BCELoss(), eps=0.5).step(X, X)
        history = SGD(ae, BCELoss(), X, X, batch_size=16, epochs=60, eps=0.5, seed=0, progress=False)
        assert history["train_loss"][-1] < 0.5 * before, (tied, before, history["train_loss"][-1])
    assert isinstance(ae.decoder[0], TiedLinear) and isinstance(ae.decoder[-1], Sigmoid)
    assert isinstance(ae.encoder[1], TanH)


@pytest.mark.parametrize("tied", [False, True])
def test_save_load_round_trip(tmp_path, tied):
    ae = AutoEncoder.symmetric(10, 2, steps=2, tied=tied, activation=LeakyReLU(0.1), rng=0)
    path = tmp_path / "ae.npz"
    ae.save(path)
    loaded = load(path)
    assert isinstance(loaded, AutoEncoder) and repr(loaded) == repr(ae)
    assert list(loaded.parameters()) == list(ae.parameters())
    X = np.random.default_rng(0).uniform(size=(3, 10)).astype(np.float32)
    np.testing.assert_array_equal(loaded.forward(X), ae.forward(X))
    if tied:
        assert loaded.ties() == {"0": "2", "2": "0"}
        assert loaded.decoder[0].twin is loaded.encoder[2] and loaded.decoder[2].twin is loaded.encoder[0]
        loaded.encoder[0]._parameters["W"] += 1  # the tie is live after loading
        np.testing.assert_array_equal(loaded.decoder[2].weight, loaded.encoder[0]._parameters["W"])
    else:
        assert loaded.ties() == {} and "ties" not in loaded.get_config()


def test_ties_rebuild_and_errors():
    ae = AutoEncoder.symmetric(6, 2, tied=True, rng=0)
    config = ae.get_config()
    assert config["ties"] == {"0": "2", "2": "0"}
    rebuilt = AutoEncoder(**config)
    assert rebuilt.decoder[0].twin is ae.encoder[2]
    with pytest.raises(ValueError, match=r"AutoEncoder: ties must map decoder TiedLinear paths to encoder "
                                         r"Linear paths, got '1': '0' \(TanH -> Linear\)"):
        AutoEncoder(ae.encoder, ae.decoder, ties={"1": "0"})
    with pytest.raises(ValueError, match=r"AutoEncoder: decoder '0' TiedLinear\(2 -> 3\) cannot share the "
                                         r"weight of encoder '0' Linear\(6 -> 3\)"):
        AutoEncoder(ae.encoder, ae.decoder, ties={"0": "0"})
