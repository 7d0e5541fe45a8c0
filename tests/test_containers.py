"""Concat (parallel branches): shapes and errors, parameter names, train/eval recursion, the course's
horizontal + vertical net (gradients, PyTorch agreement, accumulation, update and zero_grad through
the branches: the check battery and its Concat cases, tests/test_modules.py)."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from flambeau.models import course_hv_conv1d_net


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


def test_axis_argument_concatenates_on_another_axis(rng):
    net = fb.Concat(fb.Conv1D(3, 2, 4, rng=0), fb.Conv1D(5, 2, 4, padding=1, rng=1), axis=1)
    X = rng.normal(size=(2, 10, 2)).astype(np.float32)
    assert net.forward(X).shape == (2, 16, 4)


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


def test_parameter_names_and_modes_recurse():
    net = fb.Sequential(two_branches(), fb.Linear(6, 1, rng=3, dtype=np.float64))
    assert set(net.parameters()) == {"0.0.W", "0.0.b", "0.1.0.W", "0.1.0.b", "1.W", "1.b"}
    assert net.parameters()["0.1.0.W"] is net[0][1][0]._parameters["W"]
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
