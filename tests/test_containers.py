"""Concat (parallel branches): shapes and errors, finite differences, PyTorch agreement, recursion
through parameters / zero_grad / update / train-eval, and the course's horizontal + vertical net."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from flambeau.models import course_hv_conv1d_net
from tests.helpers import assert_close, to_torch, torch


def two_branches(seed=0):
    return fb.Concat(fb.Linear(3, 2, rng=seed, dtype=np.float64),
                     fb.Sequential(fb.Linear(3, 4, rng=seed + 1, dtype=np.float64), fb.TanH()))


def test_forward_concatenates_branch_outputs(rng):
    net = two_branches()
    X = rng.normal(size=(5, 3))
    Y = net.forward(X)
    assert Y.shape == (5, 6)
    np.testing.assert_array_equal(Y[:, :2], net[0].forward(X))
    np.testing.assert_array_equal(Y[:, 2:], net[1].forward(X))


def test_backward_splits_delta_and_sums_input_gradients(rng):
    net = two_branches()
    X, delta = rng.normal(size=(5, 3)), rng.normal(size=(5, 6))
    net.forward(X)
    net.backward_update_gradient(X, delta)
    dX = net.backward_delta(X, delta)
    first, second = two_branches()
    second.forward(X)
    expected = first.backward_delta(X, delta[:, :2]) + second.backward_delta(X, delta[:, 2:])
    np.testing.assert_allclose(dX, expected)
    np.testing.assert_allclose(net.gradients()["0.W"], X.T @ delta[:, :2])


def test_axis_argument_concatenates_on_another_axis(rng):
    net = fb.Concat(fb.Conv1D(3, 2, 4, rng=0), fb.Conv1D(5, 2, 4, padding=1, rng=1), axis=1)
    X = rng.normal(size=(2, 10, 2)).astype(np.float32)
    assert net.forward(X).shape == (2, 16, 4)
    errors = fb.gradcheck(net, fb.MSELoss(), X, rng.normal(size=(2, 16, 4)))
    assert max(errors.values()) < 1e-7, errors


def test_errors():
    with pytest.raises(ValueError, match=r"^Concat.forward: axis 0 is not a non-batch axis"):
        fb.Concat(fb.Linear(3, 2), axis=0).forward(np.ones((4, 3), np.float32))
    with pytest.raises(RuntimeError, match=r"^Concat.forward: no branch to run"):
        fb.Concat().forward(np.ones((4, 3)))
    with pytest.raises(TypeError, match=r"^Concat: expected a Module, got int$"):
        fb.Concat(3)
    two = two_branches()
    X = np.ones((4, 3))
    two.forward(X)
    with pytest.raises(ShapeError, match=r"^Concat.backward_delta: delta must have 6 entries on axis -1 "
                                         r"\(the branch outputs concatenated\), got \(4, 5\)$"):
        two.backward_delta(X, np.ones((4, 5)))


def test_backward_needs_the_input_of_the_last_forward(rng):
    net, X = two_branches(), rng.normal(size=(4, 3))
    delta = rng.normal(size=(4, 6))
    for method in ("backward_update_gradient", "backward_delta"):
        with pytest.raises(RuntimeError, match=rf"^Concat.{method}: no forward pass to go back through"):
            getattr(net, method)(X, delta)
    net.forward(X)
    with pytest.raises(RuntimeError, match=r"^Concat.backward_update_gradient: input differs from the "
                                           r"last forward's \(same shape \(4, 3\), other values\)"):
        net.backward_update_gradient(X + 1, delta)
    net.backward_update_gradient(X.copy(), delta)  # an equal copy is the same input
    reference = two_branches()
    reference.forward(X)
    reference.backward_update_gradient(X, delta)
    for name, grad in reference.gradients().items():
        np.testing.assert_array_equal(net.gradients()[name], grad)


def test_error_message_for_mismatched_branches():
    net = fb.Concat(fb.Linear(3, 2), fb.Reshape((1, 3)))
    with pytest.raises(ShapeError, match=r"^Concat.forward: branch outputs must have the same shape except "
                                         r"on axis -1, got \(4, 2\), \(4, 1, 3\)$"):
        net.forward(np.ones((4, 3), np.float32))


def test_gradcheck(rng):
    X = rng.normal(size=(4, 3))
    errors = fb.gradcheck(two_branches(), fb.MSELoss(), X, rng.normal(size=(4, 6)))
    assert set(errors) == {"input", "0.W", "0.b", "1.0.W", "1.0.b"}
    assert max(errors.values()) < 1e-7, errors


def test_agrees_with_torch(rng):
    t = torch()
    net = two_branches()
    X, delta = rng.normal(size=(5, 3)), rng.normal(size=(5, 6))
    net.forward(X)
    net.backward_update_gradient(X, delta)
    dX = net.backward_delta(X, delta)
    params = {k: to_torch(v, requires_grad=True) for k, v in net.parameters().items()}
    X_t = to_torch(X, requires_grad=True)
    Y_t = t.cat([X_t @ params["0.W"] + params["0.b"], t.tanh(X_t @ params["1.0.W"] + params["1.0.b"])], 1)
    (Y_t * to_torch(delta)).sum().backward()
    assert_close(net.forward(X), Y_t, "Y")
    assert_close(dX, X_t.grad, "dL/dX")
    grads = net.gradients()
    for name, param in params.items():
        assert_close(grads[name], param.grad, f"dL/d{name}")


def test_recursion_through_parameters_zero_grad_update_and_modes(rng):
    net = fb.Sequential(two_branches(), fb.Linear(6, 1, rng=3, dtype=np.float64))
    assert set(net.parameters()) == {"0.0.W", "0.0.b", "0.1.0.W", "0.1.0.b", "1.W", "1.b"}
    X = rng.normal(size=(4, 3))
    net.forward(X)
    net.backward_update_gradient(X, np.ones((4, 1)))
    assert net.gradients()["0.1.0.W"].any()
    before = net.parameters()["0.1.0.W"].copy()
    net.update_parameters(0.1)
    np.testing.assert_allclose(net.parameters()["0.1.0.W"], before - 0.1 * net.gradients()["0.1.0.W"])
    net.zero_grad()
    assert not any(g.any() for g in net.gradients().values())
    net.eval()
    assert not net[0][1][0].training
    net.train()
    assert net[0][1][0].training


def test_config_round_trip_and_repr():
    net = two_branches()
    rebuilt = fb.Concat.from_config(net.get_config())
    assert rebuilt.axis == -1 and len(rebuilt) == 2
    assert repr(fb.Concat(fb.Flatten(), axis=1)) == "Concat(axis=1\n  (0): Flatten()\n)"


def test_course_horizontal_and_vertical_convolutions(rng):
    """The course's net: a Conv1D over rows and one over columns (Transpose2D), concatenated."""
    net = course_hv_conv1d_net(side=4, channels=2, rng=0, dtype=np.float64)
    X = rng.normal(size=(3, 16))
    assert net.forward(X).shape == (3, 10)
    concat = net[0]
    features = concat.forward(X)
    assert features.shape == (3, 14, 4)
    columns = X.reshape(3, 4, 4).transpose(0, 2, 1).reshape(3, 16, 1)
    np.testing.assert_allclose(features[..., 2:], concat[1][-1].forward(columns))
    errors = fb.gradcheck(net, fb.CrossEntropyLoss(), X, np.array([1, 0, 7]))
    assert max(errors.values()) < 1e-6, errors
