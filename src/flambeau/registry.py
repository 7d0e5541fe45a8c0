"""The registries of named classes: ``MODULES`` and ``LOSSES``.

Saved files name their classes (``{"class": "Linear", ...}``), and loading looks the name up
here. ``Module`` and ``Loss`` register every concrete subclass when its class statement runs
(``flambeau.module``); ``flambeau.serialization`` reads ``MODULES``. This file imports nothing
from flambeau, so that both can depend on it and neither on the other's internals.
"""

from __future__ import annotations

__all__ = ["LOSSES", "MODULES", "register_loss", "register_module"]

MODULES: dict[str, type] = {}
"""Class name -> module class (names starting with ``_`` are private helpers, not registered)."""

LOSSES: dict[str, type] = {}
"""Class name -> loss class (same rule as ``MODULES``)."""


def register_module(cls: type) -> None:
    """Record ``cls`` under its name; two library classes may not share a name."""
    if cls.__name__.startswith("_"):
        return
    previous = MODULES.get(cls.__name__)
    if (previous is not None and previous.__module__.startswith("flambeau.")
            and cls.__module__.startswith("flambeau.") and previous.__module__ != cls.__module__):
        raise TypeError(f"Module: two flambeau modules are named {cls.__name__!r} "
                        f"({previous.__module__} and {cls.__module__}); saved files could not "
                        "tell them apart")
    MODULES[cls.__name__] = cls


def register_loss(cls: type) -> None:
    """Record ``cls`` under its name (private names skipped)."""
    if not cls.__name__.startswith("_"):
        LOSSES[cls.__name__] = cls
