"""The error raised for a module without a counterpart in the other framework."""

from __future__ import annotations

__all__ = ["UnsupportedModuleError", "unsupported_hint"]


class UnsupportedModuleError(TypeError):
    """A module that ``to_torch`` / ``from_torch`` cannot translate; the message names its path and
    class, and says why when the reason is known."""


#: Why some classes have no counterpart, by class name (either framework's).
_HINTS = {
    "Concat": "parallel branches joined on an axis have no nn.Sequential equivalent",
    "TiedLinear": "it uses another layer's weight transposed, which a separate nn.Linear would not share",
    "ModuleList": "a list of modules is not a computation (no forward)",
    "ModuleDict": "a dict of modules is not a computation (no forward)",
    "Dropout1d": "it drops whole channels; flambeau's Dropout drops single values",
    "Dropout2d": "it drops whole channels; flambeau's Dropout drops single values",
    "BatchNorm2d": "flambeau's BatchNorm1D normalises (batch, C) and (batch, length, C) inputs only",
}


def unsupported_hint(class_name: str) -> str:
    """The known reason why ``class_name`` cannot be translated, or ``""``."""
    return _HINTS.get(class_name, "")
