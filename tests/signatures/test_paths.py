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


def test_beyond_the_most_frequent_paths_samples_go_through_other_paths_nodes():
    p = paths(LAYERS, Y, Y, max_paths=1)  # the paths: (1, 1) x 3, (0, 0) x 2, (1, 0) x 1
    assert (p.n_paths, p.n_paths_shown) == (3, 1)
    assert p.on_other_paths.tolist() == [True, True, True, False, False, False]
    assert p.signatures.tolist()[0] == [0, 0]  # the signatures themselves are kept
    assert p.node_labels == ["true 0", "true 1", "L1 other paths", "L1 c1", "L2 other paths", "L2 c1",
                             "pred 0", "pred 1"]
    assert p.samples_of_node(2).tolist() == [0, 1, 2]
    assert p.link_flows(np.ones(6, bool)).sum() == 3 * 6
    with pytest.raises(ValueError, match="paths: max_paths must be a positive integer or None, got 0"):
        paths(LAYERS, Y, Y, max_paths=0)


def test_counting_is_vectorized_over_70000_samples():
    import time

    rng = np.random.default_rng(0)
    layers = {f"l{j}": rng.integers(0, 10, 70_000) for j in range(8)}
    y = rng.integers(0, 10, 70_000)
    start = time.perf_counter()
    p = paths(layers, y, y, max_paths=30)
    assert time.perf_counter() - start < 10  # about 0.3 s on a quiet core
    assert p.n_paths_shown == 30 and sum(count for _, count in p.counts) == 70_000
