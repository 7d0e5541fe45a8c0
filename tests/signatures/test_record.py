import numpy as np
import pytest

import flambeau as fb
from flambeau.signatures import hidden_groups, record


def _net():
    return fb.Sequential(fb.Linear(3, 4, rng=0), fb.TanH(), fb.Linear(4, 5, rng=1), fb.ReLU(),
                         fb.Linear(5, 2, rng=2))


def test_record_returns_each_hidden_layer_after_its_activation(rng):
    net, X = _net(), rng.normal(size=(7, 3)).astype(np.float32)
    acts = record(net, X, batch_size=3)
    assert list(acts) == ["layer1_TanH", "layer2_ReLU"]
    np.testing.assert_allclose(acts["layer1_TanH"], net[:2].forward(X), rtol=1e-6)
    np.testing.assert_allclose(acts["layer2_ReLU"], net[:4].forward(X), rtol=1e-6)
    assert acts["layer2_ReLU"].shape == (7, 5)


def test_a_layer_without_activation_is_named_by_its_type():
    net = fb.Sequential(fb.Linear(3, 4), fb.Linear(4, 2), fb.Sigmoid(), fb.Linear(2, 1))
    assert [name for name, _ in hidden_groups(net)] == ["layer1_Linear", "layer2_Sigmoid"]


def test_a_dict_of_activations_is_checked_and_kept():
    acts = record({"a": np.ones((4, 2)), "b": np.zeros((4, 3), np.float32)})
    assert list(acts) == ["a", "b"] and acts["a"].dtype == np.float64 and acts["b"].shape == (4, 3)


@pytest.mark.parametrize("acts, message", [
    ({"a": np.ones(4)}, "record: activations['a'] must have shape (n, d), got (4,)"),
    ({"a": np.ones((4, 2)), "b": np.ones((3, 2))},
     "record: activations['b'] must have shape (4, d) like the first layer, got (3, 2)"),
    ({"a": np.full((2, 2), np.nan)}, "record: activations['a'] holds NaN or infinite values"),
    ({}, "record: activations must be a non-empty dict {layer_name: (n, d) array}"),
])
def test_bad_activation_dicts_are_refused(acts, message):
    with pytest.raises(ValueError) as info:
        record(acts)
    assert str(info.value) == message


def test_networks_without_hidden_layer_or_not_sequential_are_refused():
    with pytest.raises(ValueError, match="record: the network has no hidden layer"):
        record(fb.Sequential(fb.Linear(3, 2), fb.Softmax()), np.ones((2, 3)))
    with pytest.raises(TypeError, match="record: net must be a Sequential, got Linear"):
        record(fb.Linear(3, 2), np.ones((2, 3)))


def _conv_net():
    return fb.Sequential(fb.Conv2D(3, 1, 2, rng=0), fb.ReLU(), fb.Flatten(), fb.Linear(2 * 4 * 4, 3, rng=1),
                         fb.TanH(), fb.Linear(3, 2, rng=2))


def test_a_conv_layer_is_recorded_before_flatten_and_reduced_per_channel(rng):
    net, X = _conv_net(), rng.normal(size=(5, 6, 6, 1)).astype(np.float32)
    maps = net[:2].forward(X)  # (5, 4, 4, 2) channels-last
    mean, peak, flat = (record(net, X, spatial=s) for s in ("mean", "max", "flatten"))
    assert list(mean) == ["layer1_ReLU", "layer2_TanH"]
    np.testing.assert_allclose(mean["layer1_ReLU"], maps.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(peak["layer1_ReLU"], maps.max(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_array_equal(flat["layer1_ReLU"], maps.reshape(5, -1))
    np.testing.assert_allclose(mean["layer2_TanH"], net[:5].forward(X), rtol=1e-6)


def test_an_unknown_reduction_is_refused_by_record():
    with pytest.raises(ValueError, match=r"record: spatial must be one of \['mean', 'max', 'flatten'\], got"):
        record(_net(), np.ones((2, 3)), spatial="avg")
