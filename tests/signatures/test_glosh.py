"""GLOSH: a hand-worked tree, scikit-learn's own condensed tree, and new points."""

import numpy as np
import pytest
from sklearn.cluster import HDBSCAN

from flambeau.signatures.glosh import GloshModel, condense_tree, glosh_from_tree

# 1-D points: A = {0, 1, 3}, B = {10, 11, 12}, a loner at 30. With min_samples 1 the mutual
# reachability is the plain distance: single linkage merges 0-1 (d 1), 10-11 and 11-12 (d 1),
# {0, 1}-3 (d 2), A-B (d 7), and everything with 30 (d 18).
LINE = np.array([0.0, 1, 3, 10, 11, 12, 30])[:, None]


def test_hand_worked_tree_and_scores():
    model = GloshModel(min_samples=1, min_cluster_size=2).fit(LINE)
    tree = model.tree_
    # root (0) -> A, B born at lambda 1/7; 30 falls out of the root at 1/18
    assert tree.cluster_parent.tolist() == [-1, 0, 0]
    np.testing.assert_allclose(tree.cluster_birth, [0, 1 / 7, 1 / 7])
    assert sorted(tree.cluster_size.tolist()) == [3, 3, 7]
    a, b = tree.point_cluster[0], tree.point_cluster[3]
    assert {a, b} == {1, 2} and tree.point_cluster.tolist() == [a, a, a, b, b, b, 0]
    # in A, 3 falls out at lambda 1/2 (d 2), then 0 and 1 at lambda 1 (d 1)
    np.testing.assert_allclose(tree.point_lambda, [1, 1, 1 / 2, 1, 1, 1, 1 / 18])
    np.testing.assert_allclose(tree.max_lambdas(), [1, 1, 1])
    # GLOSH = (lambda_max - lambda_x) / lambda_max
    np.testing.assert_allclose(model.scores_in_sample(), [0, 0, 0.5, 0, 0, 0, 17 / 18])
    np.testing.assert_allclose(glosh_from_tree(tree), model.scores_in_sample())


def test_new_points_are_inserted_into_the_fitted_tree():
    model = GloshModel(min_samples=1, min_cluster_size=2).fit(LINE)
    new = np.array([5.0, 6.5, 20, 40, 0.5])[:, None]
    # 5: nearest 3 at d 2 = the lambda at which 3 leaves A -> leaves with it: 0.5
    # 6.5: nearest 3 at d 3.5 (lambda 2/7 < 1/2), A born at 1/7 < 2/7 -> falls out of A: 1 - 2/7
    # 20: nearest 12 at d 8 (lambda 1/8), B born at 1/7 >= 1/8 -> the root: 1 - 1/8
    # 40: nearest 30 at d 10 (lambda 1/10 >= 1/18) -> leaves with 30: 17/18
    # 0.5: nearest 0 at d 0.5 (lambda 2 >= 1) -> leaves with 0: 0
    np.testing.assert_allclose(model.score(new), [0.5, 1 - 2 / 7, 1 - 1 / 8, 17 / 18, 0])


def _reference_scores(condensed, n):
    """GLOSH from scikit-learn's condensed tree, as the hdbscan package computes it."""
    root = condensed["parent"].min()
    points = condensed[condensed["child"] < root]
    lam, parent = np.zeros(n), np.zeros(n, np.int64)
    lam[points["child"]], parent[points["child"]] = points["value"], points["parent"]
    deaths = {p: condensed["value"][condensed["parent"] == p].max() for p in np.unique(condensed["parent"])}
    for row in sorted(condensed[condensed["child"] >= root], key=lambda r: -r["child"]):
        deaths[row["parent"]] = max(deaths[row["parent"]], deaths[row["child"]])
    return lam, np.array([(deaths[parent[i]] - lam[i]) / deaths[parent[i]] for i in range(n)])


@pytest.mark.parametrize("min_samples, min_cluster_size", [(5, 5), (10, 20), (3, 8)])
def test_condensed_tree_equals_scikit_learns(min_samples, min_cluster_size, rng):
    condense_reference = pytest.importorskip("sklearn.cluster._hdbscan._tree")._condense_tree
    X = np.concatenate([rng.normal(0, 1, (150, 4)), rng.normal(6, 0.5, (100, 4)),
                        rng.uniform(-12, 12, (20, 4))])
    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True).fit(X)
    slt = model._single_linkage_tree_
    reference = condense_reference(slt, min_cluster_size)
    lam, scores = _reference_scores(reference, len(X))
    model = GloshModel(min_samples, min_cluster_size).fit(X)
    np.testing.assert_allclose(model.tree_.point_lambda, lam)
    np.testing.assert_allclose(model.scores_in_sample(), scores, atol=1e-12)
    assert len(model.tree_.cluster_parent) == 1 + int((reference["child"] >= len(X)).sum())
    far = model.score(rng.uniform(40, 50, (5, 4)))
    centre = model.score(np.zeros((1, 4)))
    assert far.min() > 0.9 and centre[0] < 0.3


@pytest.mark.parametrize("kwargs, message", [
    ({"min_samples": 0}, r"GloshModel: min_samples must be an integer >= 1, got 0"),
    ({"min_cluster_size": 1}, r"GloshModel: min_cluster_size must be >= 2, got 1"),
    ({"min_samples": 2.5}, r"GloshModel: min_samples must be an integer >= 1, got 2.5"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GloshModel(**kwargs)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"GloshModel.fit: X must have shape \(n, d\) with n > "
                                         r"min_samples=10, got \(5, 2\)"):
        GloshModel().fit(np.zeros((5, 2)))
    model = GloshModel(1, 2).fit(LINE)
    with pytest.raises(ValueError, match=r"GloshModel.score: X must have shape \(m, 1\), got \(2, 3\)"):
        model.score(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="GloshModel.score: call fit first"):
        GloshModel().score(LINE)
    with pytest.raises(ValueError, match="condense_tree: min_cluster_size must be an integer >= 2, got 1"):
        condense_tree([0], [1], [1.0], [2], 1)
