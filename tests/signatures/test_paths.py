import numpy as np
import pytest

from flambeau.signatures import paths

Y = np.array([0, 0, 0, 1, 1, 1])
LAYERS = {"l1": np.array([0, 0, 1, 1, 1, 1]), "l2": np.array([0, 0, 0, 1, 1, 1])}


def test_signatures_and_counts_most_frequent_first():
    p = paths(LAYERS, Y, Y)
    assert p.signatures.tolist() == [[0, 0], [0, 0], [1, 0], [1, 1], [1, 1], [1, 1]]
    assert p.counts == [((1, 1), 3), ((0, 0), 2), ((1, 0), 1)]


def test_sankey_nodes_and_links_true_class_to_prediction():
    p = paths(LAYERS, Y, Y)
    assert p.node_labels == ["true 0", "true 1", "L1 c0", "L1 c1", "L2 c0", "L2 c1", "pred 0", "pred 1"]
    assert p.node_columns.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(zip(p.link_source.tolist(), p.link_target.tolist(), p.link_value.tolist(), strict=True)) == [
        (0, 2, 2), (0, 3, 1), (1, 3, 3), (2, 4, 2), (3, 4, 1), (3, 5, 3), (4, 6, 3), (5, 7, 3)]
    assert p.link_ids[2].tolist() == [1, 4, 6]


def test_flows_of_a_selection_and_samples_of_nodes_and_links():
    p = paths(LAYERS, Y, Y)
    mask = np.zeros(6, bool)
    mask[2] = True
    assert p.link_flows(mask).tolist() == [0, 1, 0, 0, 1, 0, 1, 0]
    assert p.link_flows(np.ones(6, bool)).tolist() == p.link_value.tolist()
    assert p.samples_of_node(3).tolist() == [2, 3, 4, 5]
    assert p.samples_of_link(4).tolist() == [2]


def test_anomalies_get_their_own_first_column_nodes():
    y = np.array([0, 0, 0, 1, 1, 0])
    anomaly = np.array([0, 0, 0, 0, 0, 1], bool)
    p = paths(LAYERS, y, Y, anomaly)
    assert p.node_labels[:3] == ["true 0", "anomaly 0", "true 1"]
    assert p.node_ids[:, 0].tolist() == [0, 0, 0, 2, 2, 1]


def test_shape_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"paths: y_pred must have shape \(6,\), got \(5,\)"):
        paths(LAYERS, Y, Y[:5])
    with pytest.raises(ValueError, match=r"paths: clusters of 'b' must have shape \(6,\), got \(4,\)"):
        paths({"a": Y, "b": Y[:4]}, Y, Y)
