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
