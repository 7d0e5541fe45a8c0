import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from flambeau.signatures import cluster_layers


def _blobs(rng, centres, n=30, scale=0.05):
    centres = np.asarray(centres, float)
    truth = np.repeat(np.arange(len(centres)), n)
    return centres[truth] + scale * rng.normal(size=(len(truth), centres.shape[1])), truth


def test_kmeans_picks_k_by_silhouette_and_keeps_every_score(rng):
    two, truth2 = _blobs(rng, [[0, 0, 0], [5, 5, 5]])
    three, truth3 = _blobs(rng, [[0, 0], [6, 0], [0, 6]], n=20)
    result = cluster_layers({"layer1": two, "layer2": three[:60]}, k_range=(2, 10), seed=0)
    assert result["layer1"].k == 2 and result["layer2"].k == 3
    assert adjusted_rand_score(truth2, result["layer1"].labels) == 1.0
    assert adjusted_rand_score(truth3, result["layer2"].labels) == 1.0
    for c in result.values():
        assert c.ks == list(range(2, 11)) and len(c.silhouette) == len(c.inertia) == 9
        assert c.silhouette[c.k - 2] == max(c.silhouette)
        assert np.all(np.diff(c.inertia) <= 1e-9)  # more clusters never fit worse


def test_k_range_is_clipped_to_the_sample_count_and_checked(rng):
    few, _ = _blobs(rng, [[0, 0], [4, 4]], n=3)
    assert cluster_layers({"a": few}, k_range=(2, 10))["a"].ks == [2, 3, 4, 5]
    with pytest.raises(ValueError, match=r"k_range must satisfy 2 <= low <= high < n_samples \(6\), "
                                         r"got \(1, 3\)"):
        cluster_layers({"a": few}, k_range=(1, 3))
    with pytest.raises(ValueError, match="method must be one of \\['hdbscan', 'kmeans'\\], got 'dbscan'"):
        cluster_layers({"a": few}, method="dbscan")


def test_hdbscan_finds_the_blobs(rng):
    A, truth = _blobs(rng, [[0, 0], [8, 0], [0, 8]], n=40)
    c = cluster_layers({"a": A}, method="hdbscan")["a"]
    assert c.method == "hdbscan" and c.k == 3
    assert adjusted_rand_score(truth, c.labels) == 1.0


def test_the_silhouette_from_a_distance_matrix_is_scikit_learns(rng):
    from sklearn.metrics import pairwise_distances, silhouette_score

    from flambeau.signatures.clustering import silhouette_from_distances

    A = rng.normal(size=(120, 4))
    labels = rng.integers(0, 4, 120)
    labels[0] = 9  # a cluster of one sample: s = 0
    D = pairwise_distances(A)
    assert silhouette_from_distances(D, labels) == pytest.approx(silhouette_score(A, labels), abs=1e-9)
    assert np.isnan(silhouette_from_distances(D, np.zeros(120)))


def test_above_the_fitting_sample_k_is_chosen_on_samples_and_refined_on_all_rows(rng, monkeypatch):
    from flambeau.signatures import clustering

    monkeypatch.setattr(clustering, "FIT_SAMPLES", 150)
    monkeypatch.setattr(clustering, "SILHOUETTE_SAMPLES", 90)
    A, truth = _blobs(rng, [[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]], n=100, scale=0.5)
    c = cluster_layers({"a": A.astype(np.float32)}, k_range=(2, 6), seed=0, strata=truth)["a"]
    assert c.k == 4 and adjusted_rand_score(truth, c.labels) == 1.0
    assert (c.silhouette_samples, c.fit_samples) == (90, 150)
    assert c.summary()["silhouette_samples"] == 90
    assert np.all(np.diff(c.inertia) <= 1e-6 * c.inertia[0])  # inertia over all 400 rows
