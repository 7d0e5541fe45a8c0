"""No false positive: the teacher's checker passes every built-in module and loss, every case of
the module database, over 20 seeds, with every check (``strict``) and as the course runs it."""

from __future__ import annotations

import pytest

from flambeau.check import check_loss, check_module
from flambeau.testing import LOSS_CASES, MODULE_CASES

SEEDS = range(20)


def _ids(cases):
    return [case.id for case in cases]


@pytest.mark.parametrize("case", MODULE_CASES, ids=_ids(MODULE_CASES))
def test_no_false_positive_on_a_builtin_module_over_20_seeds(case):
    for seed in SEEDS:
        strict = seed % 2 == 0  # every check on even seeds, the course's selection on odd ones
        skip = ("save_load",)  # seed-independent file I/O, run by tests/test_modules.py on every case
        report = check_module(case.instantiate(seed), case.draw_input(seed), seed=seed, strict=strict,
                              skip=skip)
        assert report.passed, f"{case.id}, seed {seed}\n{report}"
        assert not report.notes  # a library class is its own reference: nothing to compare with


@pytest.mark.parametrize("case", LOSS_CASES, ids=_ids(LOSS_CASES))
def test_no_false_positive_on_a_builtin_loss_over_20_seeds(case):
    for seed in SEEDS:
        y, yhat = case.draw_data(seed)
        report = check_loss(case.instantiate(seed), y, yhat, seed=seed, strict=seed % 2 == 0)
        assert report.passed, f"{case.id}, seed {seed}\n{report}"
