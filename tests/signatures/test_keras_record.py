import sys

import numpy as np
import pytest

from flambeau.signatures import record_keras
from tests.signatures import cnn


def _model(keras, torch):
    return cnn.keras_cnn(keras, cnn.channels_last_weights(cnn.torch_cnn(torch)))


def test_default_layers_are_those_with_an_activation_and_maps_are_reduced_per_channel(keras, torch):
    model, X = _model(keras, torch), cnn.images(4)[0][..., None]
    acts = record_keras(model, X, batch_size=5)
    maps = keras.ops.convert_to_numpy(model.get_layer("conv")(X))  # (n, 6, 6, 4) channels-last
    dense = keras.Model(model.inputs, model.get_layer("dense").output).predict(X, verbose=0)
    assert list(acts) == ["conv", "dense"] and acts["conv"].dtype == np.float32
    np.testing.assert_allclose(acts["conv"], maps.mean(axis=(1, 2)), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(acts["dense"], dense, rtol=1e-6)
    flat = record_keras(model, X, layers=["conv"], spatial="flatten")["conv"]
    np.testing.assert_allclose(flat, maps.reshape(len(X), -1), rtol=1e-6)


def test_named_layers_come_in_model_order(keras, torch):
    acts = record_keras(_model(keras, torch), np.zeros((3, 8, 8, 1)), layers=["out", "pool"], spatial="max")
    assert list(acts) == ["pool", "out"] and acts["pool"].shape == (3, cnn.FILTERS)


def test_an_unknown_layer_name_lists_the_available_ones(keras, torch):
    with pytest.raises(ValueError) as info:
        record_keras(_model(keras, torch), np.zeros((2, 8, 8, 1)), layers=["dense_9"])
    assert str(info.value) == ("record_keras: unknown layer names ['dense_9']; the model has "
                               "['conv', 'pool', 'flatten', 'dense', 'out']")


def test_data_that_does_not_fit_the_model_names_the_expected_input(keras, torch):
    with pytest.raises(ValueError) as info:
        record_keras(_model(keras, torch), np.zeros((2, 1, 8, 8)))
    assert str(info.value) == ("record_keras: the model expects input of shape (batch, 8, 8, 1), "
                               "got X of shape (2, 1, 8, 8)")


def test_a_model_without_input_or_not_keras_is_refused(keras):
    unbuilt = keras.Sequential([keras.layers.Dense(2, activation="relu")])
    with pytest.raises(ValueError, match="record_keras: the model has no defined input; build it with keras"):
        record_keras(unbuilt, np.zeros((2, 3)))
    with pytest.raises(TypeError, match="record_keras: model must be a keras.Model, got list"):
        record_keras([], np.zeros((2, 3)))


def test_without_keras_the_message_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)
    with pytest.raises(ImportError) as info:
        record_keras(object(), np.ones((2, 2)))
    assert str(info.value) == "record_keras needs keras: pip install 'flambeau[keras]'"
