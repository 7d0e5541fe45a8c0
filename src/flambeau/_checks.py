"""The input checks: every user-facing shape error, every conversion of an argument to a
float array, every check of a hyper-parameter and of a parameter allocation goes through here.

Messages read like ``Linear.forward: X must have shape (batch, 3), got (8, 4)``,
``MSELoss.forward: y must be an array of real numbers, got None``,
``Linear.backward_delta: delta must have shape (4, 3) for an input of shape (4, 5), got (5, 3)``
and ``LeakyReLU: alpha must be a finite number, got 'x'``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
import os
import reprlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["NotNumericError", "ParameterBudgetError", "ShapeError", "as_float", "check_bool",
           "check_delta", "check_int", "check_ndim", "check_path", "check_real", "check_same_shape",
           "check_shape", "claim_parameters", "describe", "parameter_budget", "samples"]


class ShapeError(ValueError):
    """An array of the wrong shape reached a module or a loss."""


class NotNumericError(TypeError, ValueError):
    """An argument that must be an array of real numbers is not one (None, text, a ragged list,
    objects, complex numbers). Both a ``TypeError`` and a ``ValueError``, as NumPy's own errors for
    such values are one or the other."""


def as_float(value, where: str, name: str, int_dtype=np.float64) -> np.ndarray:
    """``value`` as a floating-point array: the one converter of numeric arguments.

    Float arrays come back as they are (the same object for an ndarray, never copied); integer
    and boolean ones are cast to ``int_dtype`` (float64 unless the caller needs another; None
    keeps them as they are: labels, shape-only modules); any array-like of real numbers (lists,
    scalars) is read with ``np.asarray`` first. Anything else is refused with a
    ``NotNumericError`` naming ``where`` (``"Module.method"``), the argument ``name`` and what was
    received.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f":  # the hot path: one test
        return value
    if value is None or isinstance(value, (str, bytes, dict, set)):  # np.asarray would take them
        raise _not_numeric(where, name, value)
    try:
        array = np.asarray(value)
    except ValueError:  # NumPy's "inhomogeneous shape": a ragged nested sequence
        raise _not_numeric(where, name, value, " (nested sequences of different lengths)") from None
    except (TypeError, OverflowError, RecursionError):  # objects NumPy cannot read, ints past 64 bits
        raise _not_numeric(where, name, value, " (NumPy cannot read it as an array)") from None
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in "biu":
        return array if int_dtype is None else array.astype(int_dtype)
    raise _not_numeric(where, name, value)


def samples(where: str, name: str, value, int_dtype=None) -> np.ndarray:
    """``value`` as an array of samples ``(n, ...)`` of real numbers (``as_float``; by default
    with integers kept: labels, uint8 images): the data arguments of training and evaluation, and
    the inputs of modules that accept any shape with a batch axis."""
    if type(value) is np.ndarray and value.dtype.kind == "f" and value.ndim:  # the hot path
        return value
    array = as_float(value, where, name, int_dtype=int_dtype)
    if array.ndim == 0:
        raise ShapeError(f"{where}: {name} must hold samples along its first axis (n, ...), got "
                         f"{_received(value)}")
    return array


def _not_numeric(where: str, name: str, value, why: str = "") -> NotNumericError:
    return NotNumericError(f"{where}: {name} must be an array of real numbers, got "
                           f"{_received(value)}{why}")


def _received(value) -> str:
    """``None``, ``an array of dtype <U3``, ``str 'abc'``, ``list [[1, 2], [3]]``: for messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return f"{type(value).__name__} {reprlib.repr(value)}"


def describe(expected) -> str:
    """Render an expected shape where ``None`` means 'any size' and strings are names."""
    parts = ["batch" if i == 0 and d is None else ("*" if d is None else str(d))
             for i, d in enumerate(expected)]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def check_ndim(where: str, name: str, X: np.ndarray, ndim: int, layout: str) -> None:
    """Raise unless ``X.ndim == ndim``; ``layout`` names the axes, e.g. ``(batch, length, chan)``."""
    if X.ndim != ndim:
        raise ShapeError(f"{where}: {name} must have shape {layout} ({ndim} axes), "
                         f"got {tuple(X.shape)}")


def check_shape(where: str, name: str, X: np.ndarray, expected: tuple) -> None:
    """Raise unless ``X.shape`` matches ``expected`` (``None`` entries match any size)."""
    shape = X.shape
    if len(shape) == len(expected):
        for e, s in zip(expected, shape, strict=True):  # a loop: 0.3 us a call, all() 0.8
            if e is not None and e != s:
                break
        else:
            return
    raise ShapeError(f"{where}: {name} must have shape {describe(expected)}, got {tuple(shape)}")


def check_same_shape(where: str, name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise ShapeError(f"{where}: {name_a} and {name_b} must have the same shape, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")


def check_delta(where: str, delta, expected: tuple[int, ...], input_shape: tuple[int, ...]) -> np.ndarray:
    """``delta`` as a float array of exactly the shape ``expected``: the module's output shape for
    an input of ``input_shape`` (a list is converted, anything else is refused naming ``where``).

    The check of every ``backward_delta`` / ``backward_update_gradient``: a delta with one row
    too many would otherwise give a gradient of the wrong shape, or fail later in another module.
    On the hot path: one type test and one tuple comparison for a float array of the right
    shape (see ``benchmarks/bench_delta_checks.py`` for its cost on a training epoch).
    """
    if type(delta) is not np.ndarray or delta.dtype.kind != "f":
        delta = as_float(delta, where, "delta")
    if delta.shape != expected:
        raise ShapeError(f"{where}: delta must have shape {tuple(expected)} for an input of shape "
                         f"{tuple(input_shape)}, got {delta.shape}")
    return delta


# -- hyper-parameters ----------------------------------------------------------------------------
def check_int(where: str, name: str, value, minimum: int | None = 1, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]`` (None: unbounded), else a ``ValueError``
    naming ``where`` and ``name``. Booleans and floats are refused, even 3.0: a count is an int."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and (
        (minimum is None or value >= minimum) and (maximum is None or value <= maximum))
    if not ok:
        raise ValueError(f"{where}: {name} must be {_int_range(minimum, maximum)}, got {value!r:.100}")
    return int(value)


def _int_range(minimum, maximum) -> str:
    if maximum is not None:
        return f"an int in [{minimum}, {maximum}]"
    return {None: "an int", 0: "an int >= 0", 1: "a positive int"}.get(minimum, f"an int >= {minimum}")


def check_real(where: str, name: str, value, low: float | None = None, high: float | None = None, *,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in the interval from ``low`` to ``high`` (None: unbounded;
    ``low_open`` / ``high_open`` exclude the bound), else a ``ValueError`` naming ``where``,
    ``name``, the interval and what was received. Strings, None and booleans are refused."""
    number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    x = float(value) if number else math.nan
    ok = math.isfinite(x) and (low is None or (x > low if low_open else x >= low)) and (
        high is None or (x < high if high_open else x <= high))
    if not ok:
        raise ValueError(f"{where}: {name} must {_real_range(low, high, low_open, high_open)}, "
                         f"got {value!r:.100}")
    return x


def _real_range(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return "be a finite number"
    if high is None:
        return ("be a positive number" if low == 0 and low_open else
                f"be a finite number {'>' if low_open else '>='} {low:g}")
    if low is None:
        return f"be a finite number {'<' if high_open else '<='} {high:g}"
    return f"lie in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_bool(where: str, name: str, value) -> bool:
    """``value`` as a bool: True, False (NumPy's too) or the ints 1 and 0, else a ``ValueError``
    (``bool('no')`` is True: a string flag is refused, not read as True)."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return bool(value)
    raise ValueError(f"{where}: {name} must be True or False, got {value!r:.100}")


def check_path(where: str, name: str, value) -> Path:
    """``value`` (a non-empty ``str`` or ``os.PathLike``) as a ``Path``, else a ``TypeError``."""
    if isinstance(value, (str, os.PathLike)) and os.fspath(value) not in ("", b""):
        return Path(os.fsdecode(value))
    raise TypeError(f"{where}: {name} must be a file path (str or pathlib.Path), got {_received(value)}")


# -- parameter allocations ----------------------------------------------------------------------
class ParameterBudgetError(ValueError):
    """A module would allocate more parameter values than allowed (``parameter_budget``)."""


class _Budget:
    __slots__ = ("left", "limit", "source")

    def __init__(self, limit: int, source: str):
        self.left, self.limit, self.source = limit, limit, source


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("flambeau_budget", default=None)


@contextlib.contextmanager
def parameter_budget(values: int, source: str) -> Iterator[None]:
    """Within the block, parameter and buffer arrays created by the library's initialisers
    (``flambeau.init``) may hold ``values`` values in all; the array that would pass the limit
    is refused with a ``ParameterBudgetError`` BEFORE it is allocated.

    Loading a file builds its architecture under the budget of the values the file stores, so
    that a config declaring ``Linear(100000, 100000)`` beside 6 stored values costs nothing.
    ``source`` says where the limit comes from (``"file.npz stores 6 values"``).
    """
    token = _BUDGET.set(_Budget(int(values), source))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def claim_parameters(where: str, shape: tuple[int, ...]) -> None:
    """Count an array of ``shape`` against the current ``parameter_budget`` (no-op outside one)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    size = math.prod(shape)
    if size > budget.left:
        raise ParameterBudgetError(
            f"{where}: an array of shape {tuple(shape)} ({size:,} values) would pass the limit of "
            f"{budget.limit:,} values ({budget.source}); refused before allocating it")
    budget.left -= size
