import numpy as np
import pytest

from flambeau.signatures.sampling import stratified_rows


def test_each_stratum_keeps_its_share_and_the_rows_are_distinct_and_sorted():
    strata = np.repeat([0, 1, 2], [600, 300, 100])
    rows = stratified_rows(1000, 100, strata, seed=3)
    assert len(rows) == 100 and np.all(np.diff(rows) > 0)
    assert np.bincount(strata[rows]).tolist() == [60, 30, 10]


def test_left_over_rows_go_to_the_largest_remainders():
    strata = np.repeat([0, 1, 2], [5, 3, 2])  # quotas 2.5, 1.5, 1.0 of 5: floors 2, 1, 1, one left
    assert np.bincount(strata[stratified_rows(10, 5, strata)]).tolist() == [3, 1, 1]


def test_small_sets_are_kept_whole_and_bad_strata_refused():
    assert stratified_rows(5, 10).tolist() == [0, 1, 2, 3, 4]
    assert len(np.unique(stratified_rows(50, 20, seed=1))) == 20
    with pytest.raises(ValueError, match=r"stratified_rows: strata must have shape \(50,\), got \(3,\)"):
        stratified_rows(50, 20, [1, 2, 3])
    with pytest.raises(ValueError, match="stratified_rows: size must be >= 1, got 0"):
        stratified_rows(50, 0)
