"""Where the channels are, layer after layer, while a network is translated to or from PyTorch.

flambeau's feature maps are channels-last, ``(batch, *positions, channels)``; PyTorch's
convolutions, pools and batch normalisation take them channels-first, ``(batch, channels,
*positions)``. A translation walks the layers once and keeps a ``Layout``: how the tensor that
PyTorch holds at that point relates to the array that flambeau holds there.

- ``INPUT``: nothing has looked at the layout yet (the network's input, through element-wise
  layers only). The first layer that cares decides: a convolution, pool or batch normalisation
  takes its input channels-first in PyTorch; a ``Flatten`` or ``Reshape`` takes flambeau's array.
- ``FIRST``: PyTorch holds ``moveaxis(flambeau's array, -1, 1)`` (the same array for 2-D data).
- ``LAST``: PyTorch holds flambeau's array itself, with more than two axes.
- ``FLAT``: ``(batch, features)``, the same in both.
- ``PERMUTED``: ``(batch, features)``, but PyTorch's features are flambeau's in another order:
  an ``nn.Flatten`` of a channels-first map reads ``(c, *positions)``, flambeau's ``Flatten``
  ``(*positions, c)``. The next ``Linear`` absorbs the order (its weight rows are reordered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FIRST", "FLAT", "INPUT", "LAST", "PERMUTED", "Layout", "flatten_order"]

INPUT, FIRST, LAST, FLAT, PERMUTED = "input", "channels-first", "channels-last", "flat", "permuted"


@dataclass(frozen=True)
class Layout:
    """The layout state of one point of the network.

    Attributes:
        kind: ``INPUT``, ``FIRST``, ``LAST``, ``FLAT`` or ``PERMUTED``.
        channels: number of channels of the feature map (``FIRST``, ``PERMUTED``) when known.
        source: the layer that set this state (``"2 (Flatten)"``), for error messages.
    """

    kind: str
    channels: int | None = None
    source: str = "the input"


def flatten_order(channels: int, features: int) -> np.ndarray:
    """flambeau's feature index for each of PyTorch's, after flattening the same feature map.

    A map with ``C = channels`` channels and ``S = features // C`` positions flattens to index
    ``c S + s`` in PyTorch (channels-first) and to ``s C + c`` in flambeau (channels-last); the
    result ``order`` satisfies ``torch_features[:, t] == flambeau_features[:, order[t]]``.

    Raises:
        ValueError: ``features`` is not a multiple of ``channels``.
    """
    if features % channels:
        raise ValueError(f"flatten_order: {features} features cannot come from a map of "
                         f"{channels} channels")
    positions = features // channels
    return np.arange(features).reshape(positions, channels).T.ravel()
