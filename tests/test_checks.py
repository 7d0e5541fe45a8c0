"""``_checks.as_float``: the one converter of numeric arguments, and the callers that use it."""

import numpy as np
import pytest

import flambeau as fb
from flambeau._checks import NotNumericError, as_float
from flambeau.datasets import add_noise, mask_patch


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_arrays_come_back_as_the_same_object(dtype):
    X = np.ones((2, 3), dtype)
    assert as_float(X, "f", "X") is X


@pytest.mark.parametrize("value, expected", [
    (np.array([1, 2], np.int64), np.array([1.0, 2.0])),
    (np.array([1, 2], np.uint8), np.array([1.0, 2.0])),
    (np.array([True, False]), np.array([1.0, 0.0])),
    ([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])),
    ([0.5, 1], np.array([0.5, 1.0])),
    (3, np.array(3.0)),
])
def test_array_likes_of_numbers_become_float64(value, expected):
    out = as_float(value, "f", "X")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


def test_integers_can_be_sent_to_another_float_dtype():
    assert as_float(np.arange(3, dtype=np.uint8), "f", "X", int_dtype=np.float32).dtype == np.float32
    assert as_float(np.zeros(3), "f", "X", int_dtype=np.float32).dtype == np.float64  # floats kept


@pytest.mark.parametrize("value, received", [
    (None, "None"),
    ("abc", "str 'abc'"),
    (["1.5", "2"], "list ['1.5', '2']"),
    ({"a": 1}, "dict {'a': 1}"),
    (np.array([1, None]), "an array of dtype object"),
    (np.array([1 + 2j]), "an array of dtype complex128"),
    (np.array(["x"]), "an array of dtype <U1"),
    ([[1, 2], [3]], "list [[1, 2], [3]] (nested sequences of different lengths)"),
])
def test_anything_else_is_refused_naming_where_argument_and_value(value, received):
    with pytest.raises(NotNumericError) as error:
        as_float(value, "Thing.method", "X")
    assert str(error.value) == f"Thing.method: X must be an array of real numbers, got {received}"
    assert isinstance(error.value, TypeError) and isinstance(error.value, ValueError)
    assert error.value.__cause__ is None  # no NumPy error chained to it
    assert error.value.__context__ is None or error.value.__suppress_context__


def test_long_values_are_shortened_in_messages():
    with pytest.raises(NotNumericError, match=r"got str 'x{12}\.\.\.x{13}'$"):
        as_float("x" * 1000, "f", "X")


@pytest.mark.parametrize("call, where, name", [
    (lambda v: fb.MSELoss().forward(v, np.zeros(2)), "MSELoss.forward", "y"),
    (lambda v: fb.BCELoss().backward(np.zeros(2), v), "BCELoss.backward", "yhat"),
    (lambda v: fb.CrossEntropyLoss().forward(np.zeros(2, int), v), "CrossEntropyLoss.forward", "yhat"),
    (lambda v: fb.NLLLoss().backward(np.zeros(2, int), v), "NLLLoss.backward", "yhat"),
    (lambda v: fb.TanH().forward(v), "TanH.forward", "X"),
    (lambda v: fb.TanH().backward_delta(v, np.ones(2)), "TanH.backward_delta", "input"),
    (lambda v: fb.ReLU().forward(v), "ReLU.forward", "X"),
    (lambda v: fb.MaxPool1D(2).forward(v), "MaxPool1D.forward", "X"),
    (lambda v: fb.AvgPool2D(2).backward_delta(v, np.ones((1, 1, 1, 1))), "AvgPool2D.backward_delta",
     "input"),
    (lambda v: fb.Dropout(0.5).forward(v), "Dropout.forward", "X"),
    (lambda v: fb.Dropout(0.5).eval().forward(v), "Dropout.forward", "X"),
    (lambda v: add_noise(v, 0.1), "add_noise", "X"),
    (lambda v: mask_patch(v, 2), "mask_patch", "X"),
])
@pytest.mark.parametrize("value", [["a", "b"], [[1.0, 2.0], [3.0]]])
def test_entry_points_refuse_non_numbers_with_their_name(call, where, name, value):
    message = rf"^{where}: {name} must be an array of real numbers, got list"
    with pytest.raises(NotNumericError, match=message):
        call(value)


def test_corruption_keeps_float32_for_integer_pixels():
    corrupted, _ = add_noise(np.full((2, 4), 3, np.uint8), 0.1, rng=0, clip=None)
    assert corrupted.dtype == np.float32
