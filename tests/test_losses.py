"""Losses: per-sample values and gradients against PyTorch, finite differences, errors."""

import warnings

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from tests.helpers import assert_close, to_torch, torch


def _data(name, rng, n=6, k=4):
    """(loss, y, yhat, torch per-sample loss function) for each case."""
    labels = rng.integers(0, k, n)
    onehot = np.eye(k)[labels]
    logits = rng.normal(size=(n, k))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    t = torch()
    F = t.nn.functional
    cases = {
        "mse": (fb.MSELoss(), rng.normal(size=(n, k)), logits,
                lambda y, z: F.mse_loss(z, y, reduction="none").sum(1)),
        "bce": (fb.BCELoss(), rng.integers(0, 2, (n, k)).astype(float), rng.uniform(0.05, 0.95, (n, k)),
                lambda y, z: F.binary_cross_entropy(z, y, reduction="none").sum(1)),
        "ce_logits_labels": (fb.CrossEntropyLoss(), labels, logits,
                             lambda y, z: F.cross_entropy(z, y.long(), reduction="none")),
        "ce_logits_onehot": (fb.CrossEntropyLoss(), onehot, logits,
                             lambda y, z: F.cross_entropy(z, y, reduction="none")),
        "ce_probabilities": (fb.CrossEntropyLoss(from_logits=False), labels, probs,
                             lambda y, z: F.nll_loss(t.log(z), y.long(), reduction="none")),
        "nll_labels": (fb.NLLLoss(), labels, np.log(probs),
                       lambda y, z: F.nll_loss(z, y.long(), reduction="none")),
        "nll_onehot": (fb.NLLLoss(), onehot, np.log(probs),
                       lambda y, z: F.nll_loss(z, t.tensor(labels), reduction="none")),
    }
    return cases[name]


CASE_NAMES = ["mse", "bce", "ce_logits_labels", "ce_logits_onehot", "ce_probabilities",
              "nll_labels", "nll_onehot"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_agrees_with_torch(name, rng):
    loss, y, yhat, reference = _data(name, rng)
    zt = to_torch(yhat, requires_grad=True)
    yt = to_torch(y) if np.asarray(y).dtype.kind == "f" else torch().tensor(y)
    per_sample = reference(yt, zt)
    per_sample.sum().backward()
    values = loss.forward(y, yhat)
    assert values.shape == (len(yhat),)
    assert_close(values, per_sample, f"{name} per-sample loss")
    assert_close(loss.backward(y, yhat), zt.grad, f"{name} gradient")


@pytest.mark.parametrize("name", CASE_NAMES)
def test_gradcheck(name, rng):
    loss, y, yhat, _ = _data(name, rng)
    errors = fb.gradcheck(fb.Identity(), loss, yhat, y, h=1e-6)
    assert errors["input"] < 1e-6, errors


def test_bce_log_is_clamped_like_pytorch():
    y, yhat = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fb.BCELoss().forward(y, yhat)[0] == pytest.approx(200.0)
        assert np.all(np.isfinite(fb.BCELoss().backward(y, yhat)))


def test_cross_entropy_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fb.CrossEntropyLoss().forward(np.array([1]), z)[0] == pytest.approx(2e4)
        np.testing.assert_allclose(fb.CrossEntropyLoss().backward(np.array([0]), z), [[0, 0, 0]])


def test_hand_worked_values():
    assert fb.MSELoss().forward(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))[0] == 5.0
    z = np.log(np.array([[1.0, 1.0, 2.0]]))
    assert fb.CrossEntropyLoss().forward(np.array([2]), z)[0] == pytest.approx(np.log(2))
    assert fb.NLLLoss().forward(np.array([1]), np.array([[-1.0, -3.0]]))[0] == 3.0


def test_shape_mismatch_names_loss_and_shapes():
    with pytest.raises(ShapeError, match=r"MSELoss.forward: y and yhat must have the same shape, "
                                         r"got \(4,\) and \(4, 1\)"):
        fb.MSELoss().forward(np.ones(4), np.ones((4, 1)))
    with pytest.raises(ShapeError, match=r"BCELoss.backward: y and yhat"):
        fb.BCELoss().backward(np.ones((4, 2)), np.full((4, 1), 0.5))
    with pytest.raises(ShapeError, match=r"CrossEntropyLoss.forward: labels must have shape \(3,\)"):
        fb.CrossEntropyLoss().forward(np.array([0, 1]), np.zeros((3, 2)))
    with pytest.raises(ShapeError, match=r"NLLLoss.forward: yhat must have shape \(batch, classes\)"):
        fb.NLLLoss().forward(np.array([0]), np.zeros(3))


def test_label_out_of_range():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.forward: labels must lie in \[0, 3\), "
                                         r"got values in \[0, 3\]"):
        fb.CrossEntropyLoss().forward(np.array([0, 3]), np.zeros((2, 3)))


def test_non_integer_1d_targets_rejected():
    with pytest.raises(ShapeError, match="1-D targets must be integer class labels"):
        fb.CrossEntropyLoss().forward(np.array([0.5, 1.0]), np.zeros((2, 3)))


def test_float32_in_float32_out(rng):
    z = rng.normal(size=(3, 4)).astype(np.float32)
    y = np.array([0, 1, 2])
    assert fb.CrossEntropyLoss().backward(y, z).dtype == np.float32
    assert fb.MSELoss().backward(z, z).dtype == np.float32


def test_aliases_and_repr():
    assert fb.BCE is fb.BCELoss and fb.CE is fb.CrossEntropyLoss
    assert fb.CELogSoftmax is fb.CrossEntropyLoss
    assert repr(fb.CrossEntropyLoss(from_logits=False)) == "CrossEntropyLoss(from_logits=False)"
