"""Regularisation helpers used by the training loop: gradient clipping and the L2 penalty.

The L2 penalty is applied through an update rule's ``weight_decay`` (``g <- g + wd p``, the
gradient of ``wd / 2 * ||p||^2``); ``l2_penalty`` gives the value of that term, to report a
penalised loss. Dropout and batch normalisation are layers (``flambeau.layers``).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_real

__all__ = ["clip_grad_norm", "global_norm", "l2_penalty"]


def global_norm(arrays) -> float:
    """``sqrt(sum_i ||a_i||^2)`` over the arrays of a dict or an iterable."""
    if isinstance(arrays, dict):
        arrays = arrays.values()
    return math.sqrt(sum(float(np.vdot(a, a)) for a in arrays))


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float, eps: float = 1e-6) -> float:
    """Scale every gradient, in place, so that their global norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: with ``N`` the global norm, gradients are multiplied
    by ``max_norm / (N + eps)`` when that is below 1, and left alone otherwise.

    Args:
        grads: name -> gradient array (``Module.gradients()``); modified in place.
        max_norm: the largest global norm allowed (> 0).

    Returns:
        The global norm before clipping.
    """
    check_real("clip_grad_norm", "max_norm", max_norm, 0, low_open=True)
    if not isinstance(grads, dict):
        raise TypeError(f"clip_grad_norm: grads must be a dict {{name: gradient array}} "
                        f"(Module.gradients()), got {type(grads).__name__}")
    norm = global_norm(grads)
    scale = max_norm / (norm + eps)
    if scale < 1:
        for grad in grads.values():
            grad *= scale
    return norm


def l2_penalty(params: dict[str, np.ndarray], weight_decay: float) -> float:
    """``weight_decay / 2 * sum ||p||^2``: the term whose gradient ``weight_decay`` adds."""
    return 0.5 * weight_decay * global_norm(params) ** 2
