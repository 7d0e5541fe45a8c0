"""Verdicts shared by the module and loss batteries: the tolerances, and comparisons that raise a
``MethodFailure`` naming the method at fault, with the worst entry and both values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..gradcheck import DEFAULT_TOLERANCE, compare, numeric_gradient
from .report import CheckResult

__all__ = ["FD_STEPS", "GRADIENT_TOLERANCE", "MAX_ENTRIES", "REFERENCE_TOLERANCE", "ROUNDING_TOLERANCE",
           "MethodFailure", "Reference", "call", "close", "fail", "finite_differences", "returned_array",
           "run_check", "shown", "subject", "unchanged", "worst"]

FD_STEPS = (1e-6, 1e-5)
"""Steps ``h`` of the central differences (float64), the second tried only when the first fails.
Round-off grows as ``1e-16 |f| / h`` and shows when gradients are small against the objective
``f``; truncation grows as ``h^2`` and jumps near a kink. Measured over 20 seeds on a tied
LeakyReLU(0.1) autoencoder with default init (gradients near 1e-4): worst relative error 5.3e-6
at 1e-6, 5.9e-7 at 1e-5, 2.4e-2 at 1e-4 (kinks crossed). A real bug fails at both steps."""

GRADIENT_TOLERANCE = DEFAULT_TOLERANCE  # 1e-5, flambeau.gradcheck's default too
"""Largest relative error (``flambeau.gradcheck.relative_error``) between a back-propagated
gradient and finite differences (PyTorch's ``gradcheck`` allows ``atol=1e-5`` too). Measured
over every case of ``MODULE_CASES`` / ``LOSS_CASES`` and seeds 0-19 at the first step alone:
worst 2.3e-7 (``AutoEncoder``, behind a Linear), none above 1e-6; the smallest real bug of the
battery's own tests (a bias averaged over a batch of 5) is off by 0.8."""

ROUNDING_TOLERANCE = 1e-10
"""Largest relative error between two results that only float64 rounding may separate: two
accumulated gradients, a parameter's move against ``-eps * grad``, a result computed from a
cached or a fresh input. Measured worst over the cases and 20 seeds: 6.5e-14 (a move)."""

REFERENCE_TOLERANCE = 1e-9
"""Largest relative error against a reference implementation (PyTorch, float64), which sums in
another order. Measured worst over the cases and 20 seeds: 4.0e-15."""

MAX_ENTRIES = 60
"""Entries of one tensor checked by finite differences (a seeded random subset when larger)."""


@dataclass(frozen=True)
class Reference:
    """A trusted implementation to agree with.

    ``compute(module, X, delta)`` receives a float64 copy of the module checked, the float64
    input and ``delta = dL/dY``, and returns ``(Y, dL/dX, {parameter name: dL/dparameter})`` for
    ``L = sum(delta * Y)``, in the module's own layouts (see ``flambeau.testing.torch_reference``).
    ``description`` (optional) says what exactly is compared with; failure messages end with it.
    """

    name: str
    compute: Callable
    description: str = ""

    @property
    def what(self) -> str:
        """`` (description)`` for a message, or nothing."""
        return f" ({self.description})" if self.description else ""


# -- failures ---------------------------------------------------------------------------------------
class MethodFailure(Exception):
    """A check failed, and ``method`` is at fault; ``message`` says what differs or what raised."""

    def __init__(self, method: str, message: str):
        super().__init__(message)
        self.method, self.message = method, message


def call(method: str, function, *args):
    """``function(*args)``; an exception becomes a ``MethodFailure`` of ``method`` with its text."""
    try:
        return function(*args)
    except MethodFailure:
        raise
    except Exception as error:
        raise MethodFailure(method, f"{method} raised {type(error).__name__}: {error}{_place(error)}") \
            from error


_LIBRARY_DIRS = (str(Path(np.__file__).parent), str(Path(__file__).resolve().parents[1]))


def _place(error: BaseException) -> str:
    """`` (file.py, line 12)``: the innermost frame of the traceback outside NumPy and flambeau
    (the line of the module checked that raised), or nothing."""
    place, tb = "", error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_LIBRARY_DIRS) and not filename.startswith("<"):
            place = f" ({Path(filename).name}, line {tb.tb_lineno})"
        tb = tb.tb_next
    return place


def returned_array(method: str, value) -> np.ndarray:
    """``value`` as returned by ``method``: an array (a numpy scalar is taken as a 0-d array)."""
    if isinstance(value, np.generic):  # a numpy scalar: the shape checks will say what is wrong
        return np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise MethodFailure(method, f"{method} returned {type(value).__name__}, not a numpy array")
    return value


# -- comparisons ------------------------------------------------------------------------------------
def fail(method: str, message: str):
    """Fail the current check, ``method`` at fault."""
    raise MethodFailure(method, message)


def close(method: str, name: str, obtained, expected, tolerance: float, what: str = "",
          indices=None, shape=None) -> float:
    """Fail ``method`` unless ``relative_error(obtained, expected) <= tolerance``; the error.

    The message names the worst entry ``name[i, j]``, both values, then ``what`` (where the
    expected values come from). ``indices`` and ``shape``: as ``flambeau.gradcheck.compare``.
    """
    if obtained is None:
        fail(method, f"{name} is missing")
    obtained, expected = np.asarray(obtained), np.asarray(expected)
    if indices is None and obtained.shape != expected.shape:
        fail(method, f"{name} has shape {obtained.shape}, expected {expected.shape}")
    result = compare(obtained, expected, indices, shape)
    if not result.error <= tolerance:  # also catches NaN
        fail(method, f"{result.where(name)}{what}; relative error {result.error:.2g} > {tolerance:g}")
    return result.error


def finite_differences(method: str, name: str, analytic: np.ndarray, f, array: np.ndarray,
                       entries: np.ndarray, unused: str | None = None, what: str = "") -> float:
    """Fail ``method`` unless ``analytic`` (the entries ``entries`` of the gradient w.r.t.
    ``array``) agrees with central differences of ``f()`` at one of ``FD_STEPS``; the error.

    With ``unused`` (a method name, e.g. ``"forward"``): when every finite difference is exactly
    0 while ``analytic`` is not, ``f`` does not read ``array`` at all (a forward pass that forgot
    its bias), and ``unused`` is the method at fault, not ``method``. ``what`` ends the message
    (how ``f`` is built)."""
    best, ignored = None, True
    for h in FD_STEPS:
        numeric = numeric_gradient(f, array, entries, h)
        ignored = ignored and not numeric.any()
        result = compare(analytic, numeric, entries, array.shape)
        if best is None or not result.error >= best.error:
            best = result
        if result.error <= GRADIENT_TOLERANCE:
            return result.error
    if unused is not None and ignored and np.any(analytic):
        fail(unused, f"{unused} does not use {name.removeprefix('dL/d')}: its finite differences are 0, "
                     f"but {best.where(name)}")
    fail(method, f"{best.where(name)} (finite differences{what}); relative error {best.error:.2g} > "
                 f"{GRADIENT_TOLERANCE:g}")


def unchanged(method: str, name: str, array: np.ndarray, before: np.ndarray) -> None:
    """Fail ``method`` if the argument ``name`` no longer equals its copy ``before``."""
    if array.shape != before.shape or not np.array_equal(array, before, equal_nan=True):
        changed = np.argwhere(~np.isclose(array, before, rtol=0, atol=0, equal_nan=True)) \
            if array.shape == before.shape else []
        where = f" (first at {tuple(int(i) for i in changed[0])})" if len(changed) else ""
        fail(method, f"{method} modified its argument {name} in place{where}")


def worst(errors: dict[str, float]) -> str:
    """The largest of ``{tensor name: relative error}``, as a message."""
    if not errors:
        return "no parameters"
    name = max(errors, key=errors.get)
    return f"worst relative error {errors[name]:.1e} ({name})"


def run_check(method: str, check: str, function, ctx) -> CheckResult:
    """The ``CheckResult`` of ``function(ctx)``: PASS with the message it returns, FAIL with the
    method and message of a ``MethodFailure``; any other exception is a FAIL of ``method``."""
    try:
        return CheckResult(check, method, True, function(ctx))
    except MethodFailure as failure:
        return CheckResult(check, failure.method, False, failure.message)
    except Exception as error:  # the module broke something the battery relies on
        return CheckResult(check, method, False, f"{type(error).__name__}: {error}")


def shown(obj) -> str:
    """``repr(obj)``, or the class name for a class without a repr of its own (the default one
    shows a memory address, different at every run)."""
    return repr(obj) if type(obj).__repr__ is not object.__repr__ else type(obj).__name__


def subject(obj) -> str:
    """``"ClassName: repr"`` on one line, cut at 120 characters."""
    try:
        text = shown(obj).replace("\n", " ")
    except Exception:
        text = "(repr raised)"
    text = " ".join(text.split())
    return f"{type(obj).__name__}: {text if len(text) <= 120 else text[:117] + '...'}"
