"""``Optim`` and ``SGD`` at the course's gradient convention: ``reduction="sum"`` by default.

In the course, ``backward_update_gradient`` adds the gradients of the batch's samples and
``Optim.step`` applies them as they are: a step follows the gradient of the SUM of the
batch's losses, ``W <- W - eps * sum_i dL_i/dW``. ``flambeau.Optim`` and ``flambeau.SGD``
default to the batch MEAN (PyTorch's convention). For plain gradient descent the two agree
when the learning rates differ by the batch size: the sum at ``eps`` is the mean at
``eps * batch_size``.

The two names below are the library's ``Optim`` and ``SGD``, same arguments in the same order
(``Optim(net, loss, eps)``, ``SGD(net, loss, X, Y, batch_size, epochs, eps, ...)``); only the
default of ``reduction`` differs. ``reduction="mean"`` is still accepted.
"""

from __future__ import annotations

import inspect

from .. import optim as _optim
from .. import training as _training

__all__ = ["SGD", "Optim"]

COURSE_REDUCTION = "sum"


def _sum_by_default(function) -> inspect.Signature:
    """``function``'s signature with ``reduction`` defaulting to the course's ``"sum"``."""
    signature = inspect.signature(function)
    if "reduction" not in signature.parameters:
        raise ImportError(f"flambeau.course: {function.__qualname__} takes no reduction= argument; "
                          "the course's summed gradient needs it")
    parameters = [p.replace(default=COURSE_REDUCTION) if p.name == "reduction" else p
                  for p in signature.parameters.values()]
    return signature.replace(parameters=parameters)


def _bind(where: str, signature: inspect.Signature, args, kwargs) -> inspect.BoundArguments:
    """Bind the call, filling ``reduction`` with the course's default when it is not given."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as err:
        raise TypeError(f"{where}: {err}") from None
    bound.arguments.setdefault("reduction", COURSE_REDUCTION)
    return bound


_OPTIM_SIGNATURE = _sum_by_default(_optim.Optim.__init__)
_SGD_SIGNATURE = _sum_by_default(_training.SGD)


class Optim(_optim.Optim):
    """``flambeau.Optim`` applying the gradient of the batch's summed loss (the course's).

    ``Optim(net, loss, eps)``; ``step(batch_x, batch_y)`` does zero_grad, forward, loss,
    backward and ``W <- W - eps * sum_i dL_i/dW`` over the batch's samples ``i``. Every
    argument of ``flambeau.Optim`` is accepted; ``reduction`` defaults to ``"sum"``.
    """

    def __init__(self, *args, **kwargs):
        bound = _bind("Optim", _OPTIM_SIGNATURE, (self, *args), kwargs)
        super().__init__(*bound.args[1:], **bound.kwargs)


Optim.__init__.__signature__ = _OPTIM_SIGNATURE


def SGD(*args, **kwargs):
    """``flambeau.SGD`` (mini-batch gradient descent) at the course's summed gradient.

    ``SGD(net, loss, X, Y, batch_size, epochs, eps, ...)``: every argument of
    ``flambeau.SGD``, same order and meaning; ``reduction`` defaults to ``"sum"``, so each
    step moves by ``eps`` times the gradient of the SUM of the batch's losses.
    """
    bound = _bind("SGD", _SGD_SIGNATURE, args, kwargs)
    return _training.SGD(*bound.args, **bound.kwargs)


SGD.__signature__ = _SGD_SIGNATURE
