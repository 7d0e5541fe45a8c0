"""Random number generation: explicit ``numpy.random.Generator`` objects, seedable.

Every function that draws takes ``rng=`` (a seed or a Generator). When none is given the
library's default generator is used; ``manual_seed(n)`` resets it, like ``torch.manual_seed``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["default_generator", "make_rng", "manual_seed"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the library's default generator to ``seed`` and return it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is given."""
    return _generator


def make_rng(rng=None) -> np.random.Generator:
    """Turn ``None`` (default generator), an int seed or a Generator into a Generator."""
    if rng is None:
        return _generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")
