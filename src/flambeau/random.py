"""Random number generation: explicit ``numpy.random.Generator`` objects, seedable.

Every function that draws takes ``rng=`` (a seed or a Generator). When none is given the
library's default generator is used; ``manual_seed(n)`` resets it, like ``torch.manual_seed``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["default_generator", "make_rng", "manual_seed"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the library's default generator to ``seed`` (an int >= 0) and return it."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"manual_seed: seed must be an int >= 0, got {seed!r:.100}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is given."""
    return _generator


def make_rng(rng=None, where: str = "make_rng", name: str = "rng") -> np.random.Generator:
    """Turn ``None`` (default generator), an int seed (>= 0) or a Generator into a Generator;
    anything else is refused naming ``where`` and the argument ``name``."""
    if rng is None:
        return _generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"{where}: {name} must be None, an int seed >= 0 or a numpy Generator, got "
                    f"{rng!r:.100}")
