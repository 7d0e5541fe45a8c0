"""gradcheck itself: it must catch a wrong gradient, not just bless correct ones."""

import numpy as np

import flambeau as fb


class WrongLinear(fb.Linear):
    """A Linear whose weight gradient is off by a factor 2: gradcheck must notice."""

    def backward_update_gradient(self, input, delta):
        super().backward_update_gradient(input, 2 * delta)


def test_detects_a_wrong_parameter_gradient(rng):
    X, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    errors = fb.gradcheck(WrongLinear(3, 2, rng=0), fb.MSELoss(), X, y)
    assert errors["W"] > 0.3 and errors["b"] > 0.3
    assert errors["input"] < 1e-7


def test_runs_in_float64_and_leaves_the_module_alone(rng):
    layer = fb.Linear(3, 2, rng=0)  # float32
    before = layer._parameters["W"].copy()
    errors = fb.gradcheck(layer, fb.MSELoss(), rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))
    assert max(errors.values()) < 1e-7  # float64 precision, although the layer is float32
    assert layer._parameters["W"].dtype == np.float32
    np.testing.assert_array_equal(layer._parameters["W"], before)


def test_samples_large_tensors(rng):
    layer = fb.Linear(50, 40, rng=0)
    errors = fb.gradcheck(layer, fb.MSELoss(), rng.normal(size=(2, 50)), rng.normal(size=(2, 40)),
                          max_entries=30)
    assert max(errors.values()) < 1e-6


def test_relative_error():
    from flambeau.gradcheck import relative_error

    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 1.0])) == 0.5


def test_compare_names_the_worst_entry_in_the_tensor_coordinates():
    from flambeau.gradcheck import compare

    result = compare(np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert result.index == (1, 1) and (result.expected_value, result.obtained_value) == (4.0, 5.0)
    assert result.error == 0.2 and result.where("W") == "W[1, 1]: expected 4, got 5"
    subset = compare(np.array([0.0, 7.0]), np.array([0.0, 6.0]), indices=[1, 5], shape=(2, 3))
    assert subset.index == (1, 2)


def test_numeric_gradient_perturbs_non_contiguous_views():
    from flambeau.gradcheck import numeric_gradient

    base = np.arange(12.0).reshape(3, 4)
    view = base[:, ::2]  # not contiguous: a reshape would copy and the perturbation would be lost
    grads = numeric_gradient(lambda: float((base ** 2).sum()), view, np.arange(view.size))
    np.testing.assert_allclose(grads, 2 * view.reshape(-1), rtol=1e-6)
    np.testing.assert_array_equal(base, np.arange(12.0).reshape(3, 4))


class NoTransposeLinear(fb.Linear):
    """``delta @ W`` instead of ``delta @ W^T`` (square, so that the shapes hide it)."""

    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"]


def test_gives_a_verdict_with_its_tolerance(rng):
    X, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    right = fb.gradcheck(fb.Linear(3, 2, rng=0), fb.MSELoss(), X, y)
    wrong = fb.gradcheck(WrongLinear(3, 2, rng=0), fb.MSELoss(), X, y, tolerance=1e-3)
    assert right.passed and right.tolerance == 1e-5 and right.wrong_layers == []
    assert not wrong.passed and wrong.tolerance == 1e-3
    assert str(right).startswith("gradcheck passed (tolerance 1e-05): input ")
    assert str(wrong).startswith("gradcheck FAILED (tolerance 0.001): input ")
    assert dict(right) == right.errors and set(right) == {"input", "W", "b"}  # still reads as the dict


def test_names_the_second_layer_of_a_sequential_when_its_transpose_is_missing(rng):
    net = fb.Sequential(fb.Linear(4, 4, rng=0), fb.TanH(), NoTransposeLinear(4, 4, rng=1), fb.Sigmoid())
    result = fb.gradcheck(net, fb.MSELoss(), rng.normal(size=(5, 4)), rng.normal(size=(5, 4)))
    assert not result.passed
    # the network's errors point at the FIRST layer's parameters, which the wrong delta reaches...
    assert result["0.W"] > 0.1 and result["2.W"] < 1e-7
    # ...the layers checked one by one name the second Linear
    assert result.wrong_layers == ["2"]
    assert result.layers["0"]["W"] < 1e-7 and result.layers["2"]["input"] > 0.1
    assert ("  wrong: layer 2 (NoTransposeLinear(input=4, output=4, bias=True, init='uniform')): "
            "backward_delta relative error") in str(result)


def test_names_a_layer_of_a_nested_sequential_and_a_wrong_loss(rng):
    class HalfMSE(fb.MSELoss):
        def backward(self, y, yhat):
            return yhat - y

    inner = fb.Sequential(fb.Linear(3, 4, rng=0), WrongLinear(4, 4, rng=1))
    net = fb.Sequential(inner, fb.TanH())
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    assert fb.gradcheck(net, fb.MSELoss(), X, y).wrong_layers == ["0.1"]
    fine = fb.Sequential(fb.Linear(3, 4, rng=0), fb.TanH())
    result = fb.gradcheck(fine, HalfMSE(), X, y)
    assert result.wrong_layers == ["loss"]
    assert "wrong: the loss's backward: backward relative error" in str(result)
    single = fb.gradcheck(fb.Linear(3, 4, rng=0), fb.MSELoss(), X, y)
    assert single.layers == {}  # one layer: its errors suffice
