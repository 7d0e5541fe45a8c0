"""The check battery of a loss: ``forward`` gives one value per sample, ``backward`` the gradient
of their sum (finite differences, float64), no argument modified, dtype kept."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from ..gradcheck import pick_entries
from .access import copy_of
from .report import CheckReport, CheckResult
from .verdicts import (
    MAX_ENTRIES,
    REFERENCE_TOLERANCE,
    MethodFailure,
    Reference,
    call,
    close,
    fail,
    finite_differences,
    returned_array,
    run_check,
    shown,
    subject,
    unchanged,
)

__all__ = ["LOSS_CHECK_NAMES", "check_loss"]


class _LossContext:
    def __init__(self, loss, y, yhat, seed: int):
        self.loss, self.seed = loss, seed
        self.y, self.yhat = np.array(y), np.array(yhat, dtype=np.float64)

    def targets(self, dtype=np.float64) -> np.ndarray:
        """``y`` in ``dtype`` when it holds floats; integer labels stay integers."""
        return self.y.astype(dtype) if self.y.dtype.kind == "f" else self.y.copy()

    def predictions(self, dtype=np.float64) -> np.ndarray:
        return self.yhat.astype(dtype)

    def forward(self, y, yhat) -> np.ndarray:
        return returned_array("forward", call("forward", self.loss.forward, y, yhat))

    def backward(self, y, yhat) -> np.ndarray:
        return returned_array("backward", call("backward", self.loss.backward, y, yhat))


def _repr(ctx: _LossContext) -> str:
    text = call("__init__", shown, ctx.loss)
    if not isinstance(text, str) or type(ctx.loss).__name__ not in text:
        fail("__init__", f"repr gives {text!r}, which does not name the class {type(ctx.loss).__name__}")
    return text


def _values(ctx: _LossContext) -> str:
    values = ctx.forward(ctx.targets(), ctx.predictions())
    batch = len(ctx.yhat)
    if values.shape != (batch,):
        fail("forward", f"forward returned shape {values.shape}: one loss per sample, ({batch},), "
                         "is expected (not their sum or mean)")
    if not np.all(np.isfinite(values)):
        fail("forward", f"loss of sample {int(np.argmax(~np.isfinite(values)))} is not finite")
    return f"shape ({batch},), finite"


def _deterministic(ctx: _LossContext) -> str:
    y, yhat = ctx.targets(), ctx.predictions()
    first = ctx.forward(y, yhat).copy()
    close("forward", "second result", ctx.forward(y, yhat), first, 0.0, " (same arguments)")
    return "two calls give the same losses"


def _dtypes(ctx: _LossContext, method: str) -> str:
    for dtype in (np.float32, np.float64):
        run = ctx.forward if method == "forward" else ctx.backward
        result = run(ctx.targets(dtype), ctx.predictions(dtype))
        if result.dtype != dtype:
            fail(method, f"{np.dtype(dtype)} arguments gave a {result.dtype} result")
    return "float32 stays float32, float64 stays float64"


def _arguments_unchanged(ctx: _LossContext, method: str) -> str:
    y, yhat = ctx.targets(), ctx.predictions()
    (ctx.forward if method == "forward" else ctx.backward)(y, yhat)
    unchanged(method, "y", y, ctx.targets())
    unchanged(method, "yhat", yhat, ctx.predictions())
    return "y and yhat untouched"


def _gradient(ctx: _LossContext) -> str:
    analytic = ctx.backward(ctx.targets(), ctx.predictions())
    y, yhat = ctx.targets(), ctx.predictions()
    if analytic.shape != yhat.shape:
        fail("backward", f"backward returned shape {analytic.shape}, yhat has {yhat.shape}")
    entries = pick_entries(yhat.size, MAX_ENTRIES, np.random.default_rng([ctx.seed, 4]))

    def total():
        return float(np.sum(ctx.forward(y.copy(), yhat.copy())))

    error = finite_differences("backward", "d(sum of losses)/dyhat", analytic.reshape(-1)[entries],
                               total, yhat, entries)
    return f"relative error {error:.1e}"


def _reference_results(ctx: _LossContext, reference: Reference) -> list[CheckResult]:
    check = f"agrees_with_{reference.name}"
    try:
        values = ctx.forward(ctx.targets(), ctx.predictions())
        grad = ctx.backward(ctx.targets(), ctx.predictions())
    except MethodFailure as failure:
        return [CheckResult(check, failure.method, False, failure.message)]
    try:
        expected = reference.compute(copy_of(ctx.loss), ctx.targets(), ctx.predictions())
    except Exception as error:
        return [CheckResult(check, "forward", False,
                            f"the {reference.name} reference raised {type(error).__name__}: {error}")]
    results = []
    for method, name, obtained, reference_value in (("forward", "losses", values, expected[0]),
                                                    ("backward", "gradient", grad, expected[1])):
        try:
            error = close(method, name, obtained, reference_value, REFERENCE_TOLERANCE, reference.what)
            results.append(CheckResult(check, method, True, f"relative error {error:.1e}{reference.what}"))
        except MethodFailure as failure:
            results.append(CheckResult(check, failure.method, False, failure.message))
    return results


_LOSS_CHECKS = (
    ("__init__", "repr", _repr),
    ("forward", "values", _values),
    ("forward", "deterministic", _deterministic),
    ("forward", "dtype", lambda ctx: _dtypes(ctx, "forward")),
    ("forward", "arguments_unchanged", lambda ctx: _arguments_unchanged(ctx, "forward")),
    ("backward", "finite_differences", _gradient),
    ("backward", "dtype", lambda ctx: _dtypes(ctx, "backward")),
    ("backward", "arguments_unchanged", lambda ctx: _arguments_unchanged(ctx, "backward")),
)
LOSS_CHECK_NAMES = tuple(f"{method}.{check}" for method, check, _ in _LOSS_CHECKS)
"""``"method.check"`` of every loss check, in the order they run."""


def check_loss(loss, y, yhat, *, seed: int = 0, reference: Reference | None = None,
               skip: Collection[str] = ()) -> CheckReport:
    """Run the loss battery with targets ``y`` and predictions ``yhat``; never raises for a
    broken loss.

    Args:
        loss: any object with ``forward(y, yhat)`` (one loss per sample) and ``backward(y, yhat)``
            (the gradient of their sum w.r.t. ``yhat``).
        y, yhat: a sample batch inside the loss's domain (probabilities for BCE, labels or one-hot
            rows for cross-entropy...). Float targets follow the dtype checked; labels stay ints.
        seed: seeds the entries checked by finite differences.
        reference: also check agreement with this implementation (``compute(loss, y, yhat)`` gives
            the per-sample losses and the gradient; see ``torch_loss_reference``).
        skip: checks not to run, as ``"check"`` or ``"method.check"`` (see ``LOSS_CHECK_NAMES``).
    """
    ctx = _LossContext(loss, y, yhat, seed)
    results = [run_check(method, check, function, ctx) for method, check, function in _LOSS_CHECKS
               if check not in skip and f"{method}.{check}" not in skip]
    if reference is not None:
        results.extend(_reference_results(ctx, reference))
    return CheckReport(subject(loss), tuple(results))
