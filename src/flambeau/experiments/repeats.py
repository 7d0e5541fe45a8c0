"""Merging the metrics of several runs of one study (seeds) into one dict with spreads.

A study that trusts one draw is run ``repeats`` times with seeds ``seed, seed + 1, ...``;
``merge_runs`` walks the metrics dicts together: a number that is the same in every run stays
a number, a number that varies becomes ``spread(values)`` (mean, std, min, max, values);
lists, strings and booleans are the first run's (figures and curves come from the first seed);
a number only some runs have becomes the spread of those (its ``values`` say how many).

    >>> merge_runs([{"accuracy": 0.9, "n": 10}, {"accuracy": 0.8, "n": 10}])["accuracy"]["mean"]
    0.85
"""

from __future__ import annotations

import numbers

from .common import spread

__all__ = ["is_spread", "merge_runs", "within"]


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_spread(value) -> bool:
    """Whether ``value`` is a ``spread`` dict (``mean``, ``std``, ``min``, ``max``, ``values``)."""
    return isinstance(value, dict) and {"mean", "std", "min", "max", "values"} <= set(value)


def merge_runs(runs: list[dict]) -> dict:
    """One metrics dict from several runs' (see the module docstring); keys are the first run's."""
    if not runs:
        raise ValueError("merge_runs: need at least one run, got none")
    return _merge(runs, len(runs))


def _merge(values: list, n_runs: int):
    """Merge one node across runs; a number some runs lack (measured on the first seed only,
    say) becomes a spread of the runs that have it, so its count shows."""
    first = values[0]
    if isinstance(first, dict) and not is_spread(first):
        return {key: _merge([v[key] for v in values if isinstance(v, dict) and key in v], n_runs)
                for key in first}
    if _is_number(first) and all(_is_number(v) for v in values):
        if len(values) == n_runs and all(v == first for v in values):
            return first
        if any(v != v for v in values):  # NaN: no mean to give, the values as they came
            return {"values": [float(v) for v in values]}
        return spread(values)
    return first


def within(published, ours) -> bool | None:
    """Whether a published number (or every one of several draws, a tuple) lies in ``[min, max]``
    of our seeds (None when either side is not a number or ours comes from one run)."""
    values = published if isinstance(published, (tuple, list)) and published else (published,)
    if not all(_is_number(v) for v in values) or not is_spread(ours):
        return None
    return all(ours["min"] <= v <= ours["max"] for v in values)
