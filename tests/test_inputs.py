"""Every module and loss of the module database on the inputs a careless user or an attacker gives:
empty batches, deltas of the wrong shape, lists, None, text, ragged lists. Each gets a correct
result or the library's own error naming the entry point, the argument and what was received."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fb
from flambeau._checks import NotNumericError, ShapeError
from flambeau.testing import LOSS_CASES, MODULE_CASES
from tests.helpers import case_ids, one_case_per_class

CLASSES = one_case_per_class(MODULE_CASES)
LOSS_CLASSES = one_case_per_class(LOSS_CASES)
METHODS = ("backward_delta", "backward_update_gradient")


def _forward(case):
    module, X = case.instantiate(0), case.draw_input(0)
    return module, X, module.forward(X)


# -- empty batches ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", MODULE_CASES, ids=case_ids(MODULE_CASES))
def test_an_empty_batch_gives_empty_results_of_the_right_shapes(case):
    _, X, Y = _forward(case)
    module = case.instantiate(0)
    buffers = {name: b.copy() for name, b in module.buffers().items()}
    empty = np.zeros((0, *X.shape[1:]))
    out = module.forward(empty)
    assert out.shape == (0, *Y.shape[1:])
    module.backward_update_gradient(empty, np.zeros(out.shape))
    grad = module.backward_delta(empty, np.zeros(out.shape))
    assert grad.shape == empty.shape
    assert all(not g.any() for g in module.gradients().values()), "an empty batch added to a gradient"
    for name, b in module.buffers().items():  # BatchNorm's statistics are left alone, as in PyTorch
        np.testing.assert_array_equal(b, buffers[name], err_msg=name)


@pytest.mark.parametrize("case", LOSS_CASES, ids=case_ids(LOSS_CASES))
def test_a_loss_on_an_empty_batch_gives_no_loss_and_an_empty_gradient(case):
    y, yhat = case.draw_data(0)
    loss = case.instantiate(0)
    losses = loss.forward(y[:0], yhat[:0])
    assert losses.shape == (0,) and losses.sum() == 0
    assert loss.backward(y[:0], yhat[:0]).shape == yhat[:0].shape


def test_predict_on_no_sample_gives_the_networks_empty_output():
    net = fb.Sequential(fb.Linear(3, 5), fb.TanH(), fb.Linear(5, 2))
    assert fb.predict(net, np.zeros((0, 3), np.float32)).shape == (0, 2)


def test_a_step_or_an_evaluation_on_no_sample_is_refused():
    net = fb.Sequential(fb.Linear(3, 2))
    with pytest.raises(ValueError, match=r"^Optim.step: batch_x must hold at least one sample \(batch, "
                                         r"\.\.\.\), got shape \(0, 3\)$"):
        fb.Optim(net, fb.MSELoss()).step(np.zeros((0, 3), np.float32), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"^evaluate: X and Y must hold the same number of samples, at "
                                         r"least one, got 0 and 0$"):
        fb.evaluate(net, fb.MSELoss(), np.zeros((0, 3)), np.zeros((0, 2)))


def test_the_usps_readers_refuse_an_empty_file_naming_it(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(ValueError, match=rf"^load_usps: {path} holds no sample$"):
        fb.course.mltools.load_usps(path)
    with pytest.raises(fb.datasets.USPSFormatError, match=rf"^load_usps: {path} holds no rows"):
        fb.datasets.read_usps_text(path)


# -- deltas --------------------------------------------------------------------------------------------
def _wrong_shapes(shape):
    """One row too many, one entry too many on the last axis, one axis too few."""
    return [(shape[0] + 1, *shape[1:]), (*shape[:-1], shape[-1] + 1), shape[:-1]]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", MODULE_CASES, ids=case_ids(MODULE_CASES))
def test_a_delta_of_the_wrong_shape_is_refused_naming_module_and_shapes(case, method):
    module, X, Y = _forward(case)
    for shape in _wrong_shapes(Y.shape):
        with pytest.raises(ShapeError, match=rf"^\w+\.{method}: delta must have") as error:
            getattr(module, method)(X, np.ones(shape))
        assert str(shape) in str(error.value) or case.name == "Concat"


def test_one_row_too_many_is_refused_where_it_enters_not_two_layers_later():
    net = fb.Sequential(fb.Linear(4, 3), fb.TanH(), fb.Linear(3, 2))
    X = np.ones((4, 4), np.float32)
    net.forward(X)
    with pytest.raises(ShapeError, match=r"^Linear.backward_update_gradient: delta must have shape "
                                         r"\(4, 2\) for an input of shape \(4, 3\), got \(5, 2\)$"):
        net.backward_update_gradient(X, np.ones((5, 2), np.float32))
    for layer in (fb.Linear(4, 3), fb.TiedLinear(fb.Linear(3, 4))):
        with pytest.raises(ShapeError, match=r"backward_delta: delta must have shape \(4, 3\) for an "
                                             r"input of shape \(4, 4\), got \(5, 3\)$"):
            layer.backward_delta(X, np.ones((5, 3), np.float32))


@pytest.mark.parametrize("case", MODULE_CASES, ids=case_ids(MODULE_CASES))
def test_a_delta_given_as_a_list_gives_the_same_gradients(case):
    module, X, Y = _forward(case)
    delta = np.random.default_rng(3).normal(size=Y.shape)
    module.zero_grad()
    module.backward_update_gradient(X, delta)
    expected = {k: g.copy() for k, g in module.gradients().items()}
    expected_input = module.backward_delta(X, delta)
    module.zero_grad()
    module.backward_update_gradient(X, delta.tolist())
    for name, grad in module.gradients().items():
        np.testing.assert_allclose(grad, expected[name], err_msg=name)
    np.testing.assert_allclose(module.backward_delta(X, delta.tolist()), expected_input)


# -- what is not an array of numbers ---------------------------------------------------------------
NOT_NUMBERS = {
    "None": (None, "None"),
    "text": ("abc", "str 'abc'"),
    "text array": (np.array([["a", "b"]]), "an array of dtype <U1"),
    "ragged list": ([[1.0, 2.0], [3.0]], r"list \[\[1\.0, 2\.0\], \[3\.0\]\] \(nested sequences of different "
                                         r"lengths\)"),
    "objects": (np.array([[object()]]), "an array of dtype object"),
    "complex": (np.ones((2, 2), complex), "an array of dtype complex128"),
    "dict": ({"a": 1}, r"dict \{'a': 1\}"),
    "int past 64 bits": ([[2**70]], r"list \[\[1180591620717411303424\]\]$"),
}


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=list(NOT_NUMBERS))
@pytest.mark.parametrize("case", CLASSES, ids=case_ids(CLASSES))
def test_forward_refuses_what_is_not_numbers(case, value):
    given, received = NOT_NUMBERS[value]
    with pytest.raises(NotNumericError, match=rf"^\w+\.forward: X must be an array of real numbers, got "
                                              rf"{received}"):
        case.instantiate(0).forward(given)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("value", ["None", "text", "ragged list"])
@pytest.mark.parametrize("case", CLASSES, ids=case_ids(CLASSES))
def test_backward_refuses_a_delta_that_is_not_numbers(case, value, method):
    module, X, _ = _forward(case)
    given, received = NOT_NUMBERS[value]
    with pytest.raises(NotNumericError, match=rf"^\w+\.{method}: delta must be an array of real numbers, "
                                              rf"got {received}"):
        getattr(module, method)(X, given)


@pytest.mark.parametrize("value", ["None", "text", "ragged list", "objects"])
@pytest.mark.parametrize("argument", ["y", "yhat"])
@pytest.mark.parametrize("method", ["forward", "backward"])
@pytest.mark.parametrize("case", LOSS_CLASSES, ids=case_ids(LOSS_CLASSES))
def test_losses_refuse_what_is_not_numbers(case, method, argument, value):
    y, yhat = case.draw_data(0)
    given, received = NOT_NUMBERS[value]
    args = (given, yhat) if argument == "y" else (y, given)
    with pytest.raises(NotNumericError, match=rf"^{case.name}.{method}: {argument} must be an array of real "
                                              rf"numbers, got {received}"):
        getattr(case.instantiate(0), method)(*args)


@pytest.mark.parametrize("case", CLASSES, ids=case_ids(CLASSES))
def test_lists_of_numbers_are_accepted_as_inputs(case):
    module, X, Y = _forward(case)
    np.testing.assert_allclose(case.instantiate(0).forward(X.tolist()), Y)


@pytest.mark.parametrize("module", [fb.Flatten(), fb.Reshape((6,)), fb.Transpose2D()])
def test_shape_only_modules_keep_integer_inputs_and_refuse_text(module):
    X = np.arange(12, dtype=np.uint8).reshape(2, 3, 2, 1)
    assert module.forward(X).dtype == np.uint8
    with pytest.raises(NotNumericError, match=r"forward: X must be an array of real numbers, got an array "
                                              r"of dtype <U3"):
        module.forward(X.astype(str))


@pytest.mark.parametrize("call, message", [
    (lambda: fb.SGD(fb.Sequential(fb.Linear(3, 2)), fb.MSELoss(), None, None, progress=False),
     "SGD: X must be an array of real numbers, got None"),
    (lambda: fb.SGD(fb.Sequential(fb.Linear(3, 2)), fb.MSELoss(), [[1, 2, 3], [1]], [[1, 2]] * 2,
                    progress=False), "SGD: X must be an array of real numbers, got list"),
    (lambda: fb.SGD(fb.Sequential(fb.Linear(3, 2)), fb.MSELoss(), 3.0, 2.0, progress=False),
     r"SGD: X must hold samples along its first axis \(n, \.\.\.\), got float 3\.0"),
    (lambda: fb.Optim(fb.Sequential(fb.Linear(3, 2)), fb.MSELoss()).step("abc", [[1, 2]]),
     "Optim.step: batch_x must be an array of real numbers, got str 'abc'"),
    (lambda: fb.predict(fb.Sequential(fb.Linear(3, 2)), None), "predict: X must be an array of real numbers"),
    (lambda: fb.accuracy(None, np.zeros((2, 3))), "accuracy: y must be an array of real numbers, got None"),
    (lambda: fb.gradcheck(fb.Linear(3, 2), fb.MSELoss(), "abc", np.zeros((1, 2))),
     "gradcheck: X must be an array of real numbers, got str 'abc'"),
])
def test_training_and_evaluation_entry_points_refuse_what_is_not_numbers(call, message):
    with pytest.raises((NotNumericError, ShapeError), match=f"^{message}"):
        call()
