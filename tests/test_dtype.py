"""The dtype policy: float32 parameters by default, float64 on request, no silent truncation."""

import warnings

import numpy as np
import pytest

import flambeau as fb


def test_float32_by_default():
    assert fb.get_default_dtype() == np.float32
    net = fb.Sequential(fb.Linear(3, 2), fb.TanH())
    assert net.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.forward(np.ones((2, 3), np.float32)).dtype == np.float32


def test_float64_on_request():
    with fb.default_dtype(np.float64):
        assert fb.Linear(3, 2).dtype == np.float64
    assert fb.get_default_dtype() == np.float32
    assert fb.Linear(3, 2, dtype=np.float64).dtype == np.float64
    assert fb.Linear(3, 2).to(np.float64).gradients()["W"].dtype == np.float64


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="flambeau supports float32 and float64 parameters, got float16"):
        fb.set_default_dtype(np.float16)


def test_float64_input_into_float32_net_warns_not_silent():
    layer = fb.Linear(3, 2)
    with pytest.warns(fb.PrecisionWarning, match="Linear.forward: input of dtype float64 cast to float32"):
        Y = layer.forward(np.ones((2, 3)))
    assert Y.dtype == np.float32


def test_integer_and_float16_inputs_are_cast_exactly():
    layer = fb.Linear(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layer.forward(np.ones((2, 3), np.int64)).dtype == np.float32
        assert layer.forward(np.ones((2, 3), np.float16)).dtype == np.float32


def test_non_numeric_input_rejected():
    with pytest.raises(TypeError, match="Linear.forward: X must be an array of real numbers, got an array "
                                        "of dtype <U1"):
        fb.Linear(1, 1).forward(np.array([["a"]]))
