"""Moving networks between flambeau and PyTorch (``pip install 'flambeau[torch]'``).

``to_torch(net)`` gives the ``torch.nn.Sequential`` that computes what a flambeau network computes,
with a copy of its weights; ``from_torch(module)`` the reverse. Both keep each layer's training
flag and its dtype, and translate between flambeau's channels-last feature maps and PyTorch's
channels-first ones (see ``to_torch``). A module without a counterpart raises an
``UnsupportedModuleError`` naming its path and class.

Importing this package does not import PyTorch: the two functions do, when called.

Example:
    >>> import flambeau as fb
    >>> from flambeau.interop import from_torch, to_torch
    >>> model = to_torch(fb.models.mnist_cnn())       # doctest: +SKIP
    >>> net = from_torch(model)                         # doctest: +SKIP
"""

from .errors import UnsupportedModuleError
from .torch_export import to_torch
from .torch_import import from_torch

__all__ = ["UnsupportedModuleError", "from_torch", "to_torch"]
