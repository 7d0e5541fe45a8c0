"""The teacher's checker on the suite of typical student bugs (``buggy_modules.py``): caught, with
the method at fault named; and no failure on correctly written student modules."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest

from flambeau.check import check_loss, check_module, draw_input
from tests.check import student_modules as s
from tests.check import student_skeleton as sk
from tests.check.buggy_modules import BUGS, draw_loss_data

pytestmark = pytest.mark.usefixtures("restore_registries")

CATEGORIES = ("missing transpose", "= for +=", "bias averaged or not summed", "gradient divided by the batch",
              "forgotten bias", "+ in the update", "zero_grad forgetting a gradient",
              "wrong activation derivative", "element-wise softmax derivative", "in-place mutation",
              "sign or factor in a loss", "conv windows not accumulated", "stride ignored in backward",
              "max-pool gradient to the whole window", "right alone, wrong behind a layer", "crash",
              "wrong forward")


def run_bug(bug, seed: int = 0):
    if bug.data is not None:
        return check_loss(bug.build(), *draw_loss_data(bug.data, seed), seed=seed)
    return check_module(bug.build(), draw_input(bug.shape, seed), seed=seed)


@pytest.fixture(scope="module")
def reports():
    return {bug.name: run_bug(bug) for bug in BUGS}


def _methods(report) -> set[str]:
    return {failure.method for failure in report.failures}


def test_the_suite_covers_every_category_with_several_variants():
    counts = Counter(bug.category for bug in BUGS)
    assert set(CATEGORIES) <= set(counts), set(CATEGORIES) - set(counts)
    assert all(counts[category] >= 2 for category in CATEGORIES), counts
    assert len(BUGS) >= 80 and len({bug.name for bug in BUGS}) == len(BUGS)


def test_at_least_95_percent_caught_with_the_right_method(reports):
    missed = [f"{bug.name}: expected {bug.method}, failures on {sorted(_methods(reports[bug.name]))}"
              for bug in BUGS if bug.method not in _methods(reports[bug.name])]
    rate = 1 - len(missed) / len(BUGS)
    assert rate >= 0.95, f"{rate:.1%} caught with the right method; missed:\n" + "\n".join(missed)


@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_bug_is_caught_on_its_method(bug, reports):
    report = reports[bug.name]
    assert bug.method in _methods(report), str(report)
    failure = next(f for f in report.failures if f.method == bug.method)
    assert failure.message and str(failure.check) in str(report)


@pytest.mark.parametrize("name", ["linear_assigns", "skeleton_assigns"])
def test_the_assignment_bug_is_named_as_such(name, reports):
    [failure] = reports[name].failures
    assert (failure.method, failure.check) == ("backward_update_gradient", "accumulates")
    assert "+=, not =" in failure.message


def test_a_bug_in_forward_alone_is_blamed_on_forward(reports):
    """A forgotten bias leaves every backward formula right: the unused parameter shows it."""
    failures = reports["linear_forgets_bias_forward"].failures
    assert {f.method for f in failures} == {"forward"}
    assert {f.check for f in failures} == {"finite_differences", "agrees_with_library"}
    [unused] = [f for f in failures if f.check == "finite_differences"]
    assert unused.message.startswith("forward does not use b: its finite differences are 0, but dL/db[")


def test_a_wrong_forward_is_caught_by_the_library_counterpart(reports):
    failures = {(f.method, f.check) for f in reports["sigmoide_wrong_sign"].failures}
    assert ("forward", "agrees_with_library") in failures
    message = next(f.message for f in reports["sigmoide_wrong_sign"].failures if f.method == "forward")
    assert "expected" in message and "got" in message and "flambeau Sigmoid()" in message


def test_a_crash_names_the_method_the_exception_and_the_line(reports):
    failures = reports["linear_not_written_yet"].failures
    assert {f.method for f in failures} == {"backward_delta"}
    assert all("NotImplementedError: backward_delta (buggy_modules.py, line" in f.message for f in failures)


# -- correct student modules: no false positive ----------------------------------------------------------
CORRECT = [
    ("Linear", lambda: s.Linear(3, 4), (6, 3)), ("TanH", s.TanH, (5, 4)), ("Sigmoide", s.Sigmoide, (5, 4)),
    ("ReLU", s.ReLU, (5, 4)), ("Softmax", s.Softmax, (5, 4)), ("LogSoftmax", s.LogSoftmax, (5, 4)),
    ("Conv1D", lambda: s.Conv1D(3, 2, 4, 2), (4, 11, 2)),
    ("Conv1D-overlap", lambda: s.Conv1D(3, 3, 2, 1), (3, 9, 3)),
    ("MaxPool1D", lambda: s.MaxPool1D(2, 2), (4, 10, 3)),
    ("MaxPool1D-overlap", lambda: s.MaxPool1D(3, 2), (4, 11, 3)),
    ("Flatten", s.Flatten, (3, 4, 2)), ("skeleton-Linear", lambda: sk.Linear(3, 4), (6, 3)),
    ("skeleton-TanH", sk.TanH, (5, 4)), ("skeleton-Sigmoide", sk.Sigmoide, (5, 4)),
]
LOSSES = [("MSELoss", s.MSELoss, "real"), ("BCELoss", s.BCELoss, "binary"),
          ("CELogSoftmax", s.CELogSoftmax, "onehot"),
          ("skeleton-MSELoss", sk.MSELoss, "real")]


@pytest.mark.parametrize("name, build, shape", CORRECT, ids=[c[0] for c in CORRECT])
def test_correct_student_module_passes_over_20_seeds(name, build, shape):
    for seed in range(20):
        report = check_module(build(), draw_input(shape, seed), seed=seed)
        assert report.passed, f"seed {seed}\n{report}"
    assert report.notes and report.notes[0].startswith("compared with flambeau ")


@pytest.mark.parametrize("name, build, kind", LOSSES, ids=[c[0] for c in LOSSES])
def test_correct_student_loss_passes_over_20_seeds(name, build, kind):
    for seed in range(20):
        report = check_loss(build(), *draw_loss_data(kind, seed), seed=seed)
        assert report.passed, f"seed {seed}\n{report}"
    assert any(r.check == "agrees_with_library" for r in report.results)


def test_under_2_seconds_per_module():
    """CPU time of one check (the machine may be shared: wall time would measure the neighbours)."""
    representative = [bug for bug in BUGS if bug.name in {
        "conv1d_delta_stride_ignored", "maxpool_whole_window_overlapping", "linear_assigns",
        "softmax_elementwise",
        "mse_sign_flipped", "conv1d_flipped_kernel"}]
    timings = {}
    for bug in representative:
        start = time.process_time()
        run_bug(bug)
        timings[bug.name] = time.process_time() - start
    start = time.process_time()
    check_module(s.Conv1D(5, 8, 8, 2), draw_input((8, 64, 8)))  # a larger layer than a course exercise's
    timings["Conv1D(5, 8, 8, 2) on (8, 64, 8)"] = time.process_time() - start
    assert len(timings) == 7 and max(timings.values()) < 2.0, timings


def test_module_given_is_untouched_and_reports_repeat():
    layer = s.Linear(3, 4)
    before = {k: v.copy() for k, v in layer._parameters.items()}
    X = draw_input((6, 3))
    first, second = str(check_module(layer, X, seed=3)), str(check_module(layer, X, seed=3))
    assert first == second
    for name, value in layer._parameters.items():
        np.testing.assert_array_equal(value, before[name])
    assert not any(g.any() for g in layer._gradient.values())
