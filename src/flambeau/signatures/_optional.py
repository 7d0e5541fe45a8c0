"""The optional-framework helpers, shared with the rest of the library (``flambeau._optional``)."""

from .._optional import check_available, require

__all__ = ["check_available", "require"]
