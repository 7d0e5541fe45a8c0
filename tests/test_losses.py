"""Losses: clamping and stability, hand-worked values, errors, aliases (per-sample values and
gradients against finite differences and PyTorch, dtype: the check battery, tests/test_modules.py)."""

import warnings

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError


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


def test_aliases_and_repr():
    assert fb.BCE is fb.BCELoss and fb.CE is fb.CrossEntropyLoss
    assert fb.CELogSoftmax is fb.CrossEntropyLoss
    assert repr(fb.CrossEntropyLoss(from_logits=False)) == "CrossEntropyLoss(from_logits=False)"


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_bce_refuses_plus_minus_one_labels_and_says_how_to_map_them(method):
    y = np.array([[1.0], [-1.0], [1.0]])
    with pytest.raises(fb.DomainError, match=rf"BCELoss.{method}: targets y outside \[0, 1\] "
                                             r"\(values in \[-1, 1\]\); they look like -1/\+1 labels: "
                                             r"use \(y \+ 1\) / 2"):
        getattr(fb.BCELoss(), method)(y, np.full((3, 1), 0.5))


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_bce_refuses_logits_and_says_add_a_sigmoid(method):
    yhat = np.array([[2.5], [-0.5], [0.3]])
    with pytest.raises(fb.DomainError, match=rf"BCELoss.{method}: predictions yhat outside \[0, 1\] "
                                             r"\(values in \[-0.5, 2.5\]\): .* "
                                             r"add a Sigmoid before the loss"):
        getattr(fb.BCELoss(), method)(np.array([[1.0], [0.0], [1.0]]), yhat)


def test_bce_refuses_other_targets_outside_the_unit_interval():
    with pytest.raises(fb.DomainError, match=r"targets y outside \[0, 1\] \(values in \[0, 3\]\); BCE needs "
                                             r"targets in \[0, 1\]"):
        fb.BCELoss().forward(np.array([[0.0], [3.0]]), np.full((2, 1), 0.5))


def test_bce_domain_check_leaves_valid_values_unchanged():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 1, (64, 5)).astype(np.float32)
    yhat = np.concatenate([rng.uniform(0, 1, (62, 5)), np.zeros((1, 5)), np.ones((1, 5))]).astype(np.float32)
    with np.errstate(divide="ignore"):
        per_unit = -(y * np.maximum(np.log(yhat), -100) + (1 - y) * np.maximum(np.log(1 - yhat), -100))
    expected = per_unit.sum(axis=1)
    np.testing.assert_array_equal(fb.BCELoss().forward(y, yhat), expected)
    np.testing.assert_array_equal(fb.BCELoss().backward(y, yhat),
                                  (yhat - y) / np.maximum(yhat * (1 - yhat), 1e-12))
    assert np.isnan(fb.BCELoss().forward(np.ones((1, 2)), np.array([[np.nan, 0.5]])))[0]  # NaN: divergence


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_cross_entropy_on_probabilities_refuses_values_outside_the_unit_interval(method):
    """Found by the fuzz suite: a log of -1 gave a silent NaN."""
    loss = fb.CrossEntropyLoss(from_logits=False)
    with pytest.raises(fb.DomainError, match=rf"^CrossEntropyLoss.{method}: predictions yhat outside "
                                             r"\[0, 1\] \(values in \[-1, -1\]\): with from_logits=False "
                                             r"they must be probabilities \(after a Softmax\); for logits "
                                             r"use CrossEntropyLoss\(\) \(from_logits=True\)$"):
        getattr(loss, method)(np.array([0]), np.full((1, 4), -1.0))


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_cross_entropy_on_probabilities_refuses_target_rows_outside_the_unit_interval(method):
    """Found by the fuzz suite: a target of 4 over a probability of 0 gave a gradient of -inf."""
    loss = fb.CrossEntropyLoss(from_logits=False)
    with pytest.raises(fb.DomainError, match=rf"^CrossEntropyLoss.{method}: targets y outside \[0, 1\] "
                                             r"\(values in \[4, 4\]\): with from_logits=False, target "
                                             r"rows must be one-hot or probability rows$"):
        getattr(loss, method)(np.full((1, 4), 4.0), np.zeros((1, 4)))
    assert np.isfinite(loss.backward(np.eye(4)[[0]], np.zeros((1, 4)))).all()


@pytest.mark.parametrize("module", [fb.Softmax(), fb.LogSoftmax()])
def test_softmax_over_no_class_is_empty_as_in_pytorch(module):
    """Found by the fuzz suite: NumPy's "zero-size array to reduction operation maximum"."""
    assert module.forward([[]]).shape == (1, 0)
    assert module.backward_delta(np.zeros((1, 0)), np.zeros((1, 0))).shape == (1, 0)


@pytest.mark.parametrize("loss_class", [fb.MSELoss, fb.BCELoss])
def test_features_mean_divides_loss_and_gradient_by_the_feature_count(loss_class):
    rng = np.random.default_rng(0)
    y, yhat = rng.uniform(0, 1, (4, 2, 3)), rng.uniform(0.1, 0.9, (4, 2, 3))
    summed, averaged = loss_class(), loss_class(features="mean")
    np.testing.assert_allclose(averaged.forward(y, yhat), summed.forward(y, yhat) / 6)
    np.testing.assert_allclose(averaged.backward(y, yhat), summed.backward(y, yhat) / 6)
    assert averaged.get_config() == {"features": "mean"}
    assert averaged.forward(y[:0], yhat[:0]).shape == (0,)


@pytest.mark.parametrize("loss_class", [fb.MSELoss, fb.BCELoss])
def test_features_accepts_only_sum_or_mean(loss_class):
    with pytest.raises(ValueError, match=rf"{loss_class.__name__}: features must be 'sum' .* got 'avg'"):
        loss_class(features="avg")
