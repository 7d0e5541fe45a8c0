"""The three small ``torch.nn`` modules that ``to_torch`` inserts where the layouts differ.

Importing this module imports PyTorch (``flambeau[torch]``); ``flambeau.interop`` imports it only
inside ``to_torch`` / ``from_torch``. The classes are defined at module level so that a converted
model can be pickled by ``torch.save`` like any other.
"""

from __future__ import annotations

from .._optional import require

torch = require("torch", "torch", "flambeau.interop")

__all__ = ["ChannelsFirst", "ChannelsLast", "SwapSpatial"]


class ChannelsFirst(torch.nn.Module):
    """``(batch, *positions, channels) -> (batch, channels, *positions)``: flambeau's layout to
    PyTorch's (``torch.movedim(x, -1, 1)``; the identity on ``(batch, features)``)."""

    def forward(self, x):
        return torch.movedim(x, -1, 1)


class ChannelsLast(torch.nn.Module):
    """``(batch, channels, *positions) -> (batch, *positions, channels)``: PyTorch's layout to
    flambeau's (``torch.movedim(x, 1, -1)``; the identity on ``(batch, features)``)."""

    def forward(self, x):
        return torch.movedim(x, 1, -1)


class SwapSpatial(torch.nn.Module):
    """flambeau's ``Transpose2D`` on channels-first images: ``(batch, c, h, w) -> (batch, c, w, h)``."""

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"SwapSpatial.forward: x must have shape (batch, channels, height, width), "
                             f"got {tuple(x.shape)}")
        return x.transpose(2, 3)
