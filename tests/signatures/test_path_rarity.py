"""The path-rarity score on a hand-worked example."""

import math

import numpy as np
import pytest

from flambeau.signatures.path_rarity import fit_path_rarity

# six training samples, two layers of one unit each; clusters given
TRAIN = {"l1": np.array([-1.0, 1, -1, 1, 9, 11])[:, None], "l2": np.array([0.0, 2, 4, 19, 21, 20])[:, None]}
LABELS = {"l1": np.array([0, 0, 0, 0, 1, 1]), "l2": np.array([0, 0, 0, 1, 1, 1])}


def test_hand_worked_probabilities_and_distances():
    model = fit_path_rarity(TRAIN, labels=LABELS)
    assert model.ks == [2, 2]
    np.testing.assert_allclose([c.ravel() for c in model.centres], [[0, 10], [2, 20]])
    np.testing.assert_allclose(model.spreads, [[1, 1], [8 / 3, 2 / 3]])
    # P(c1) = (n_j + 1) / (6 + 2): counts 4 and 2
    np.testing.assert_allclose(np.exp(model.log_first), [5 / 8, 3 / 8])
    # from c1 = 0: 3 go to c2 = 0, 1 to c2 = 1; from c1 = 1: 0 and 2 -> (n_ij + 1) / (n_i + 2)
    np.testing.assert_allclose(np.exp(model.log_transitions[0]), [[4 / 6, 2 / 6], [1 / 4, 3 / 4]])
    new = {"l1": np.array([[3.0], [10.0]]), "l2": np.array([[10.0], [2.0]])}
    out = model.score(new)
    assert out["paths"].tolist() == [[0, 0], [1, 0]]
    np.testing.assert_allclose(out["path_term"], [-math.log(5 / 8 * 4 / 6), -math.log(3 / 8 * 1 / 4)])
    # (3 - 0)^2 / (2 * 1) + (10 - 2)^2 / (2 * 8/3); (10 - 10)^2 / 2 + 0
    np.testing.assert_allclose(out["distance_term"], [4.5 + 12, 0])
    np.testing.assert_allclose(out["score"], out["path_term"] + out["distance_term"])


def test_a_path_never_taken_is_rarer_than_a_frequent_one(rng):
    acts = {"a": np.concatenate([rng.normal(0, 1, (50, 3)), rng.normal(8, 1, (50, 3))]),
            "b": np.concatenate([rng.normal(0, 1, (50, 2)), rng.normal(8, 1, (50, 2))])}
    model = fit_path_rarity(acts, k_range=(2, 3), seed=0)
    assert model.ks == [2, 2]
    usual = {"a": np.zeros((1, 3)), "b": np.zeros((1, 2))}
    crossed = {"a": np.zeros((1, 3)), "b": np.full((1, 2), 8.0)}  # cluster of the other group
    far = {"a": np.full((1, 3), -10.0), "b": np.zeros((1, 2))}
    s_usual, s_crossed, s_far = (model.score(x) for x in (usual, crossed, far))
    assert s_crossed["path_term"][0] > s_usual["path_term"][0] + 3  # (0 + 1) / (50 + 2) vs (50 + 1) / 52
    assert s_far["distance_term"][0] > 20 * s_usual["distance_term"][0]


def test_errors_name_the_layers_and_shapes():
    model = fit_path_rarity(TRAIN, labels=LABELS)
    with pytest.raises(ValueError, match=r"PathRarity: activations must hold the layers \['l1', 'l2'\] in "
                                         r"order, got \['l2', 'l1'\]"):
        model.score({"l2": TRAIN["l2"], "l1": TRAIN["l1"]})
    with pytest.raises(ValueError, match=r"PathRarity: layer 'l2' must have shape \(6, 1\), got \(6, 2\)"):
        model.score({"l1": TRAIN["l1"], "l2": np.zeros((6, 2))})
    with pytest.raises(ValueError, match=r"fit_path_rarity: layer 'l2' must have shape \(6, d\), "
                                         r"got \(5, 1\)"):
        fit_path_rarity({"l1": TRAIN["l1"], "l2": TRAIN["l2"][:5]})
    with pytest.raises(ValueError, match="fit_path_rarity: alpha must be > 0, got 0"):
        fit_path_rarity(TRAIN, alpha=0)
    with pytest.raises(ValueError, match="fit_path_rarity: no layer given"):
        fit_path_rarity({})
