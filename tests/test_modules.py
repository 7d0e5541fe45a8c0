"""The check battery over the module database: every module and loss case, PyTorch agreement,
coverage of every registered class, and the battery itself on deliberately broken modules."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import flambeau
from flambeau import Linear, MSELoss, ReLU, Sequential, TanH
from flambeau.module import LOSSES, MODULES
from flambeau.testing import (
    CHECK_NAMES,
    LOSS_CASES,
    MODULE_CASES,
    MODULE_METHODS,
    check_loss,
    check_module,
    check_reference,
    has_torch_reference,
    run_case,
    torch_loss_reference,
    torch_reference,
    uncovered_classes,
)
from flambeau.testing.cases import APPLICATION_PACKAGES
from tests.helpers import torch

CASES = MODULE_CASES + LOSS_CASES
SEEDS = (0, 1)


def _ids(cases):
    return [case.id for case in cases]


# -- the database ------------------------------------------------------------------------------------
def test_every_library_class_has_a_case():
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in uncovered_classes()]
    assert not missing, f"add a ModuleCase / LossCase to flambeau/testing/cases.py for {missing}"


def test_case_ids_are_unique():
    ids = _ids(CASES)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", MODULE_CASES, ids=_ids(MODULE_CASES))
def test_case_builds_the_class_it_names(case):
    module = case.instantiate(0)
    assert any(isinstance(m, MODULES[case.name]) for m in module.modules()), case.id
    assert module.dtype in (None, np.float64)
    assert case.draw_input(0).shape == case.input_shape
    assert not case.torch or has_torch_reference(module), f"{case.id}: no PyTorch function for a class"


@pytest.mark.parametrize("case", LOSS_CASES, ids=_ids(LOSS_CASES))
def test_loss_case_builds_the_class_it_names(case):
    assert type(case.instantiate(0)) is LOSSES[case.name]


def test_application_packages_define_no_module_or_loss():
    """``uncovered_classes`` does not import them, so a class defined there would go unseen."""
    root = Path(flambeau.__file__).parent
    bases = {"Module", "Loss", *MODULES, *LOSSES}
    for package in APPLICATION_PACKAGES:
        path = root.joinpath(*package.split(".")[1:])
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]:
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    names = {getattr(base, "id", getattr(base, "attr", None)) for base in node.bases}
                    assert not names & bases, f"{file}: class {node.name} is a module or a loss"


# -- the battery over every case -------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_battery_passes(case, seed):
    report = run_case(case, seed)
    assert report.passed, f"{report.summary()}\n{report}"


@pytest.mark.parametrize("case", [c for c in CASES if c.torch], ids=_ids([c for c in CASES if c.torch]))
def test_agrees_with_torch(case):
    torch()
    if case in LOSS_CASES:
        y, yhat = case.draw_data(0)
        report = check_loss(case.instantiate(0), y, yhat, reference=torch_loss_reference())
        report_results = [r for r in report.results if r.check == "agrees_with_torch"]
    else:
        report = check_reference(case.instantiate(0), case.draw_input(0), torch_reference())
        report_results = list(report.results)
    assert len(report_results) == (2 if case in LOSS_CASES else 3)
    assert all(r.passed for r in report_results), f"{report.summary()}\n{report}"


# -- the battery itself: broken modules fail on the right method ------------------------------------
class _AssignsGradient(Linear):
    """``=`` instead of ``+=``: correct for one call, silently wrong under accumulation."""

    def backward_update_gradient(self, input, delta):
        self._gradient["W"] = input.T @ delta
        self._gradient["b"] = delta.sum(axis=0)


class _NoTranspose(Linear):
    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"]  # W, not W^T: square layers hide the shape error


class _MutatesDelta(TanH):
    def backward_delta(self, input, delta):
        delta *= 1 - np.tanh(input) ** 2
        return delta


class _IgnoresInput(Linear):
    """Reads the input of the last forward instead of its ``input`` argument."""

    def forward(self, X):
        self._seen = X
        return super().forward(X)

    def backward_update_gradient(self, input, delta):
        super().backward_update_gradient(self._seen, delta)


class _DerivativeOfTheLastForward(TanH):
    """Uses the output of the last forward whatever input it is handed: right only on that input."""

    def forward(self, X):
        self._kept_output = super().forward(X)
        return self._kept_output

    def backward_delta(self, input, delta):
        return delta * (1 - self._kept_output ** 2)


class _MaskOfTheFirstCall(ReLU):
    """Keeps the ReLU mask of its very first forward: right alone, wrong behind another layer."""

    def forward(self, X):
        if getattr(self, "_mask", None) is None:
            self._mask = X > 0
        return super().forward(X)

    def backward_delta(self, input, delta):
        return delta * self._mask


class _AddsTheStep(Linear):
    def update_parameters(self, gradient_step=1e-3):
        for name, param in self._parameters.items():
            param += gradient_step * self._gradient[name]


class _ForgetsBiasGradient(Linear):
    def zero_grad(self):
        self._gradient["W"].fill(0)


class _AveragesBias(Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] += delta.mean(axis=0)


class _CrashingBackward(Linear):
    def backward_delta(self, input, delta):
        raise ValueError("not written yet")


class _Float32Output(TanH):
    def forward(self, X):
        return super().forward(X).astype(np.float32)


class _CourseSkeletonLinear:
    """A Linear written on the course's skeleton: not a flambeau Module, one array parameter."""

    def __init__(self, n_in, n_out, rng):
        self._parameters = rng.normal(size=(n_in, n_out))
        self._gradient = np.zeros_like(self._parameters)

    def zero_grad(self):
        self._gradient = np.zeros_like(self._parameters)

    def forward(self, X):
        return X @ self._parameters

    def update_parameters(self, gradient_step=1e-3):
        self._parameters -= gradient_step * self._gradient

    def backward_update_gradient(self, input, delta):
        self._gradient += input.T @ delta

    def backward_delta(self, input, delta):
        return delta @ self._parameters.T


def _failed(report) -> set[tuple[str, str]]:
    return {(result.method, result.check) for result in report.failures}


def _check(module, shape=(5, 4)):
    return check_module(module, np.random.default_rng(0).normal(size=shape), save=False)


@pytest.mark.parametrize("module, expected", [
    (_AssignsGradient(4, 3, rng=0), {("backward_update_gradient", "accumulates")}),
    (_NoTranspose(4, 4, rng=0), {("backward_delta", "finite_differences"),
                                 ("backward_delta", "behind_linear")}),
    (_MutatesDelta(), {("backward_delta", "arguments_unchanged")}),
    (_IgnoresInput(4, 3, rng=0), {("backward_update_gradient", "uses_input")}),
    (_DerivativeOfTheLastForward(), {("backward_delta", "uses_input")}),
    (Sequential(Linear(4, 4, rng=0), _MaskOfTheFirstCall()), {("backward_delta", "behind_linear")}),
    (_AddsTheStep(4, 3, rng=0), {("update_parameters", "step")}),
    (_ForgetsBiasGradient(4, 3, rng=0), {("zero_grad", "zeroes")}),
    (_AveragesBias(4, 3, rng=0), {("backward_update_gradient", "finite_differences")}),
    (_Float32Output(), {("forward", "dtype"), ("forward", "finite_differences"),  # FD need float64
                        ("forward", "behind_linear")}),
], ids=["assigns_gradient", "no_transpose", "mutates_delta", "ignores_input",
        "derivative_of_the_last_forward", "mask_of_the_first_call", "adds_the_step", "forgets_bias_gradient",
        "averages_bias", "float32_output"])
def test_broken_module_fails_on_the_right_method(module, expected):
    report = _check(module.to(np.float64))
    assert _failed(report) == expected, str(report)


def test_failure_message_names_the_worst_entry_and_both_values():
    report = _check(_AveragesBias(4, 3, rng=0).to(np.float64))
    [failure] = report.failures
    assert failure.method == "backward_update_gradient"
    assert "dL/db[" in failure.message and "expected" in failure.message and "got" in failure.message
    line = str(report).splitlines()[[r.check for r in report.results].index("finite_differences")]
    assert line.startswith("FAIL  backward_update_gradient") and "finite_differences" in line


def test_a_crash_is_a_failure_of_that_method_not_of_the_battery():
    report = _check(_CrashingBackward(4, 3, rng=0))
    assert not report.passed
    assert {f.method for f in report.failures} == {"backward_delta"}
    assert all("ValueError: not written yet" in f.message for f in report.failures)


def test_a_course_skeleton_module_passes():
    report = _check(_CourseSkeletonLinear(4, 3, np.random.default_rng(0)))
    assert report.passed, str(report)
    assert "save_load" not in {r.check for r in report.results}  # no save method


def test_report_lines_and_methods():
    report = _check(Linear(4, 3, rng=0))
    assert report.passed and not report.failures
    lines = str(report).splitlines()
    assert len(lines) == len(report.results) == len(CHECK_NAMES) - 1  # save_load not asked for
    assert all(line.startswith("PASS  ") for line in lines)
    assert {r.method for r in report.results} == set(MODULE_METHODS)
    assert report.as_dict()["passed"] is True


def test_skip_and_the_module_given_is_untouched():
    layer = Linear(4, 3, rng=0)
    before = {k: v.copy() for k, v in layer.parameters().items()}
    report = check_module(layer, np.ones((2, 4)), skip=["save_load", "forward.dtype"])
    assert "save_load" not in {r.check for r in report.results}
    assert ("forward", "dtype") not in {(r.method, r.check) for r in report.results}
    assert ("backward_delta", "dtype") in {(r.method, r.check) for r in report.results}
    for name, value in layer.parameters().items():
        np.testing.assert_array_equal(value, before[name])
    assert layer.dtype == np.float32 and not any(g.any() for g in layer.gradients().values())


# -- the loss battery ---------------------------------------------------------------------------------
class _SignFlippedMSE(MSELoss):
    def backward(self, y, yhat):
        return 2 * (y - yhat)


class _MeanMSE(MSELoss):
    def forward(self, y, yhat):
        return super().forward(y, yhat).mean()


class _MutatesPredictions(MSELoss):
    def backward(self, y, yhat):
        yhat -= y
        return 2 * yhat


@pytest.mark.parametrize("loss, expected", [
    (_SignFlippedMSE(), {("backward", "finite_differences")}),
    (_MeanMSE(), {("forward", "values"), ("backward", "finite_differences")}),
    (_MutatesPredictions(), {("backward", "arguments_unchanged")}),
], ids=["sign_flipped", "mean_not_per_sample", "mutates_predictions"])
def test_broken_loss_fails_on_the_right_method(loss, expected):
    rng = np.random.default_rng(0)
    report = check_loss(loss, rng.normal(size=(5, 3)), rng.normal(size=(5, 3)))
    assert _failed(report) == expected, str(report)
