"""The registries of named classes: ``MODULES`` and ``LOSSES``.

Saved files name their classes (``{"class": "Linear", ...}``), and loading looks the name up
here. ``Module`` and ``Loss`` register every concrete subclass when its class statement runs
(``flambeau.module``); ``flambeau.serialization`` reads ``MODULES``. This file imports nothing
from flambeau, so that both can depend on it and neither on the other's internals.

Names (``class_key``): a class of the ``flambeau`` package is registered under its bare name
(``"Linear"``); a class defined anywhere else (a student's ``class Linear(Module)`` in
``__main__``, a notebook cell, ``my_layers.py``) under ``"<module>.<qualified name>"``
(``"__main__.Linear"``), so that it lives beside the library's class of the same name and never
replaces it. Defining a user class again (re-running a cell) replaces the earlier definition.
"""

from __future__ import annotations

__all__ = ["LOSSES", "MODULES", "class_key", "is_library_class", "register_loss", "register_module",
           "user_classes_named"]

MODULES: dict[str, type] = {}
"""``class_key(cls)`` -> module class (names starting with ``_`` are private helpers, not registered)."""

LOSSES: dict[str, type] = {}
"""``class_key(cls)`` -> loss class (same rules as ``MODULES``)."""


def is_library_class(cls: type) -> bool:
    """Whether ``cls`` is defined inside the ``flambeau`` package."""
    return cls.__module__ == "flambeau" or cls.__module__.startswith("flambeau.")


def class_key(cls: type) -> str:
    """The name ``cls`` is registered and saved under: bare for the library's classes,
    ``"<module>.<qualified name>"`` for any other (``"__main__.Linear"``)."""
    return cls.__name__ if is_library_class(cls) else f"{cls.__module__}.{cls.__qualname__}"


def user_classes_named(name: str) -> list[type]:
    """Registered user classes that a saved name may designate: those whose qualified name is
    ``name`` or ends it after a dot (``"Linear"`` and ``"__main__.Linear"`` both match a
    ``my_layers.Linear``), so that a file saved from one script loads in another that defines or
    imports the same class."""
    return [cls for cls in MODULES.values() if not is_library_class(cls)
            and (name == cls.__qualname__ or name.endswith("." + cls.__qualname__))]


def register_module(cls: type) -> None:
    """Record ``cls`` under ``class_key(cls)``; two library classes may not share a name."""
    if cls.__name__.startswith("_"):
        return
    key = class_key(cls)
    previous = MODULES.get(key)
    if (previous is not None and is_library_class(previous) and is_library_class(cls)
            and previous.__module__ != cls.__module__):
        raise TypeError(f"Module: two flambeau modules are named {cls.__name__!r} "
                        f"({previous.__module__} and {cls.__module__}); saved files could not "
                        "tell them apart")
    MODULES[key] = cls


def register_loss(cls: type) -> None:
    """Record ``cls`` under ``class_key(cls)`` (private names skipped)."""
    if not cls.__name__.startswith("_"):
        LOSSES[class_key(cls)] = cls
