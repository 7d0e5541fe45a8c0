"""Weight initialisers, by name, for ``Linear(..., init=NAME)`` and convolutions.

Each takes ``(shape, fan_in, fan_out, rng)`` and returns a float64 array that the layer
casts to its dtype. Biases are drawn by ``init_bias``.

=============  ==========================================================================
name           distribution of each weight
=============  ==========================================================================
``uniform``    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) -- Lua Torch and PyTorch's default
``xavier``     U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (alias ``glorot``)
``xavier_normal`` N(0, 2 / (fan_in + fan_out)) (alias ``glorot_normal``)
``he``         N(0, 2 / fan_in) (alias ``kaiming``), for ReLU networks
``he_uniform`` U(-a, a), a = sqrt(6 / fan_in) (alias ``kaiming_uniform``)
``normal``     N(0, 1) * 0.1 -- the course's ``np.random.randn(...) * 0.1``
``zeros``      0
=============  ==========================================================================
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import numpy as np

from ._checks import claim_parameters

__all__ = ["INITIALIZERS", "init_bias", "init_constant", "init_weight"]


def _uniform(shape, fan_in, fan_out, rng):
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


def _xavier(shape, fan_in, fan_out, rng):
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape)


def _xavier_normal(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def _he(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)


def _he_uniform(shape, fan_in, fan_out, rng):
    bound = math.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=shape)


def _normal(shape, fan_in, fan_out, rng):
    return rng.standard_normal(size=shape) * 0.1


def _zeros(shape, fan_in, fan_out, rng):
    return np.zeros(shape)


INITIALIZERS: dict[str, Callable] = {
    "uniform": _uniform,
    "xavier": _xavier,
    "glorot": _xavier,
    "xavier_normal": _xavier_normal,
    "glorot_normal": _xavier_normal,
    "he": _he,
    "kaiming": _he,
    "he_uniform": _he_uniform,
    "kaiming_uniform": _he_uniform,
    "normal": _normal,
    "zeros": _zeros,
}


# Every parameter and buffer array of the library's layers is created by one of the three functions
# below: each first counts the array against the current ``_checks.parameter_budget`` (loading a
# file sets one: an architecture may not allocate more values than the file stores), and a
# MemoryError names the layer and the shape.

def init_weight(init: str, shape, fan_in: int, fan_out: int, rng, dtype, where: str):
    """Draw a weight array of ``shape`` with the initialiser named ``init``."""
    if not isinstance(init, str) or init not in INITIALIZERS:
        raise ValueError(f"{where}: unknown init {init!r:.100}; choose one of {sorted(INITIALIZERS)}")
    claim_parameters(where, shape)
    with _memory(where, shape):
        return INITIALIZERS[init](shape, fan_in, fan_out, rng).astype(dtype)


def init_bias(init: str, shape, fan_in: int, rng, dtype, where: str = "init_bias"):
    """Bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for ``uniform`` (as PyTorch), else zeros."""
    claim_parameters(where, shape)
    with _memory(where, shape):
        if init == "uniform":
            return _uniform(shape, fan_in, None, rng).astype(dtype)
        if init == "normal":
            return _normal(shape, fan_in, None, rng).astype(dtype)
        return np.zeros(shape, dtype=dtype)


def init_constant(value: float, shape, dtype, where: str) -> np.ndarray:
    """An array of ``shape`` filled with ``value`` (BatchNorm's scale, shift and statistics)."""
    claim_parameters(where, shape)
    with _memory(where, shape):
        return np.full(shape, value, dtype=dtype)


@contextlib.contextmanager
def _memory(where: str, shape):
    """Turn a MemoryError while creating a parameter into one naming the layer and the shape."""
    try:
        yield
    except MemoryError:
        raise MemoryError(f"{where}: not enough memory for a parameter of shape {tuple(shape)} "
                          f"({math.prod(shape):,} values)") from None
