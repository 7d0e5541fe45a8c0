"""The same CNN as a PyTorch module, its ONNX export and a Keras 3 rebuild (and flambeau): the
same activations per layer, to 1e-5, and the same clusters with a fixed seed."""

import numpy as np
import pytest

from flambeau.signatures import SPATIAL, cluster_layers, record, record_keras, record_onnx, record_torch
from tests.signatures import cnn


def _three_ways(torch_cnn, cnn_onnx, keras, X, spatial):
    weights = cnn.channels_last_weights(torch_cnn)
    return (record_torch(torch_cnn, X[:, None], spatial=spatial),
            record_onnx(cnn_onnx, X[:, None], spatial=spatial),
            record_keras(cnn.keras_cnn(keras, weights), X[..., None], spatial=spatial))


@pytest.mark.parametrize("spatial", SPATIAL)
def test_torch_onnx_and_keras_give_the_same_activations_and_clusters(torch_cnn, cnn_onnx, keras, spatial):
    X, _ = cnn.images(20)
    recorded = _three_ways(torch_cnn, cnn_onnx, keras, X, spatial)
    torch_acts = recorded[0]
    width = {"flatten": cnn.FILTERS * 6 * 6}.get(spatial, cnn.FILTERS)
    assert [a.shape for a in torch_acts.values()] == [(60, width), (60, cnn.HIDDEN)]
    reference = cluster_layers(torch_acts, (2, 5), "kmeans", seed=0)
    for acts in recorded[1:]:
        assert len(acts) == len(torch_acts)
        for ours, theirs in zip(acts.values(), torch_acts.values(), strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
        clusters = cluster_layers(acts, (2, 5), "kmeans", seed=0)
        for ours, theirs in zip(clusters.values(), reference.values(), strict=True):
            np.testing.assert_array_equal(ours.labels, theirs.labels)


def test_flambeau_records_the_pooled_map_of_its_conv_layer_like_torch_names_it(torch_cnn):
    X, _ = cnn.images(5)
    net = cnn.flambeau_cnn(cnn.channels_last_weights(torch_cnn))
    ours, theirs = record(net, X[..., None]), record_torch(torch_cnn, X[:, None], layers=["pool", "relu2"])
    assert list(ours) == ["layer1_MaxPool2D", "layer2_ReLU"]
    for a, b in zip(ours.values(), theirs.values(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
