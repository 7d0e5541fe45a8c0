"""Synthetic 2-D data of the course: ``gen_arti``, moons, and the sine regression.

All generators take ``seed`` (an int or a ``numpy.random.Generator``) and return float32
samples ``(n, 2)``. Binary labels come in the encoding a loss expects (``labels=``):

- ``"pm1"``: float32 ``(n, 1)`` in {-1, +1} (the course's convention, MSE on a tanh output);
- ``"01"``: float32 ``(n, 1)`` in {0, 1} (BCE on a sigmoid output);
- ``"int"``: int64 ``(n,)`` in {0, 1} (cross-entropy on two logits).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int, check_real
from ..random import make_rng

__all__ = ["ARTI_KINDS", "LABEL_ENCODINGS", "gen_arti", "make_moons", "make_sine_regression"]

LABEL_ENCODINGS = {
    "pm1": lambda positive: np.where(positive, 1.0, -1.0).astype(np.float32).reshape(-1, 1),
    "01": lambda positive: positive.astype(np.float32).reshape(-1, 1),
    "int": lambda positive: positive.astype(np.int64),
}


def _encode(positive: np.ndarray, labels: str, where: str) -> np.ndarray:
    if labels not in LABEL_ENCODINGS:
        raise ValueError(f"{where}: labels must be one of {sorted(LABEL_ENCODINGS)}, got {labels!r}")
    return LABEL_ENCODINGS[labels](positive)


def _split_evenly(n: int, parts: int) -> list[int]:
    return [n // parts + (i < n % parts) for i in range(parts)]


def _gaussian_blobs(centers, positive, n: int, sigma: float, rng):
    """Isotropic blobs with covariance ``sigma * I`` (``sigma`` is a variance, as in the course)."""
    counts = _split_evenly(n, len(centers))
    blobs = [rng.normal(c, np.sqrt(sigma), size=(k, 2)) for c, k in zip(centers, counts, strict=True)]
    X = np.concatenate(blobs)
    y = np.repeat(np.asarray(positive), counts)
    return X, y


def _two_gaussians(n, sigma, center, rng):
    return _gaussian_blobs([(center, center), (-center, -center)], [True, False], n, sigma, rng)


def _four_gaussians(n, sigma, center, rng):
    centers = [(center, center), (-center, -center), (-center, center), (center, -center)]
    return _gaussian_blobs(centers, [True, True, False, False], n, sigma, rng)


def _checkerboard(n, sigma, center, rng):
    X = rng.uniform(-4, 4, size=(n, 2))
    return X, (np.ceil(X[:, 0]) + np.ceil(X[:, 1])) % 2 == 1


#: kind -> generator of (X (n, 2), positive (n,) bool).
ARTI_KINDS = {0: _two_gaussians, 1: _four_gaussians, 2: _checkerboard}


def gen_arti(kind: int = 0, n: int = 1000, sigma: float = 0.1, epsilon: float = 0.02, seed=None,
             center: float = 1.0, flip: float = 0.0, labels: str = "pm1"):
    """The course's artificial 2-D data (``gen_arti`` of its ``mltools``), seeded.

    Kinds:
        0: two gaussians, +1 at ``(c, c)``, -1 at ``(-c, -c)`` (linearly separable);
        1: four gaussians, "XOR": +1 at ``(c, c)`` and ``(-c, -c)``, -1 at ``(-c, c)`` and ``(c, -c)``;
        2: checkerboard on ``[-4, 4]^2`` with unit cells, label ``+1`` where
           ``ceil(x1) + ceil(x2)`` is odd.

    As in the course, ``sigma`` is the *variance* of each gaussian (covariance ``sigma * I``),
    ``epsilon`` the standard deviation of a gaussian noise added to both coordinates of every
    point, and the points are shuffled. The classes hold ``n // 2`` points each (``n`` odd: one
    more +1). The course's generator has no label noise; ``flip`` adds it: each label is
    flipped with that probability.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``; y encoded as ``labels`` says (module docstring).
    """
    if isinstance(kind, bool) or not isinstance(kind, (int, np.integer)) or kind not in ARTI_KINDS:
        raise ValueError(f"gen_arti: kind must be one of {sorted(ARTI_KINDS)} (two gaussians, four "
                         f"gaussians, checkerboard), got {kind!r}")
    n, flip = check_int("gen_arti", "n", n, 0), check_real("gen_arti", "flip", flip, 0, 1)
    sigma, epsilon = check_real("gen_arti", "sigma", sigma, 0), check_real("gen_arti", "epsilon", epsilon, 0)
    center = check_real("gen_arti", "center", center)
    rng = make_rng(seed, "gen_arti", "seed")
    X, positive = ARTI_KINDS[kind](n, sigma, center, rng)
    X = X + rng.normal(0.0, epsilon, size=X.shape)
    positive = positive ^ (rng.random(len(positive)) < flip)
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), _encode(positive[order], labels, "gen_arti")


def make_moons(n: int = 200, noise: float = 0.1, seed=None, labels: str = "int"):
    """Two interleaving half circles (the geometry of scikit-learn's ``make_moons``).

    The upper moon ``(cos t, sin t)``, ``t`` in ``[0, pi]``, is class 0; the lower one
    ``(1 - cos t, 0.5 - sin t)`` is class 1; ``t`` is evenly spaced, a gaussian noise of
    standard deviation ``noise`` is added, and the points are shuffled.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``; y encoded as ``labels`` says (default int64 ``(n,)``).
    """
    n, noise = check_int("make_moons", "n", n, 0), check_real("make_moons", "noise", noise, 0)
    rng = make_rng(seed, "make_moons", "seed")
    n_upper, n_lower = _split_evenly(n, 2)
    t_upper, t_lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    positive = np.repeat([False, True], [n_upper, n_lower])
    order = rng.permutation(n)
    return X[order].astype(np.float32), _encode(positive[order], labels, "make_moons")


def make_sine_regression(n: int = 1000, noise: float = 0.1, seed=None, low: float = -1.0,
                         high: float = 1.0):
    """Regression target ``y = sin(pi * x1) + x2 ** 2 + noise * N(0, 1)``, x uniform in ``[low, high]^2``.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``, y float32 ``(n, 1)``.
    """
    where = "make_sine_regression"
    n, noise = check_int(where, "n", n, 0), check_real(where, "noise", noise, 0)
    low, high = check_real(where, "low", low), check_real(where, "high", high)
    rng = make_rng(seed, where, "seed")
    X = rng.uniform(low, high, size=(n, 2))
    y = np.sin(np.pi * X[:, 0]) + X[:, 1] ** 2 + rng.normal(0.0, noise, size=n)
    return X.astype(np.float32), y.astype(np.float32).reshape(-1, 1)
