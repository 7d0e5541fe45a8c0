"""Decoder layer that shares (the transpose of) the weight of an encoder ``Linear``."""

from __future__ import annotations

import numpy as np

from .._checks import as_float, check_bool, check_delta, check_shape
from ..dtype import as_compute_dtype, parameter_dtype
from ..init import init_bias
from ..module import Module
from ..random import make_rng
from .linear import Linear

__all__ = ["TiedLinear"]


class TiedLinear(Module):
    """Affine map ``Y = X W^T + b`` where ``W`` is the weight of another ``Linear`` (its *twin*).

    Used by tied autoencoders: the decoder layer mirroring ``twin`` reads ``twin``'s weight at
    every call (shared storage, never a copy), and only its bias ``b`` is its own.

    How the weight is shared without being counted twice:
        ``parameters()`` / ``gradients()`` of a ``TiedLinear`` list only ``"b"``; the twin is
        not a child. ``backward_update_gradient`` ADDS its weight gradient into
        ``twin._gradient["W"]``, so the one weight receives the sum of both paths' gradients,
        and optimizers (which walk ``parameters()``) update it exactly once, through the twin.
        ``zero_grad`` of the whole network resets that sum (the twin belongs to it).

    Saving:
        ``get_config()`` holds the twin module itself, so ``type(m)(**m.get_config())`` rebuilds a
        layer tied to the same twin. A saved file cannot hold object identity: an
        ``AutoEncoder`` records its ties (``AutoEncoder.ties()``) and re-links them on loading;
        a ``TiedLinear`` saved in any other container comes back tied to a separate copy.

    Args:
        twin: the ``Linear`` whose weight ``W`` ``(twin.input, twin.output)`` is shared.
        bias: learn an additive bias ``b`` ``(twin.input,)``.
        rng: seed or ``numpy.random.Generator`` for the initial bias.
        dtype: bias dtype (default: the twin's weight dtype).

    Shape:
        X ``(batch, twin.output)`` -> Y ``(batch, twin.input)``.

    Gradients:
        ``dL/dW += delta^T X`` (into the twin), ``dL/db += sum_batch delta``, ``dL/dX = delta W``.

    Example:
        >>> encoder_layer = Linear(784, 64)
        >>> decoder_layer = TiedLinear(encoder_layer)   # 64 -> 784 with W^T
    """

    def __init__(self, twin: Linear, bias: bool = True, rng=None, dtype=None):
        super().__init__()
        if not isinstance(twin, Linear):
            raise TypeError(f"TiedLinear: twin must be a Linear, got {type(twin).__name__}")
        self.twin, self.bias = twin, check_bool("TiedLinear", "bias", bias)
        self.reset_parameters(rng, dtype)

    @property
    def input(self) -> int:
        return self.twin.output

    @property
    def output(self) -> int:
        return self.twin.input

    @property
    def weight(self) -> np.ndarray:
        """The twin's live weight ``(output, input)`` of this layer (looked up at each call)."""
        return self.twin._parameters["W"]

    def reset_parameters(self, rng=None, dtype=None) -> None:
        """Draw a fresh bias (``U(-1/sqrt(input), 1/sqrt(input))`` for the default init)."""
        rng = make_rng(rng, "TiedLinear")
        dtype = self.weight.dtype if dtype is None else parameter_dtype(dtype, "TiedLinear")
        self._parameters = {}
        if self.bias:
            self._parameters["b"] = init_bias(self.twin.init, (self.output,), self.input, rng, dtype,
                                             "TiedLinear")
        self._init_gradients()

    def forward(self, X):
        X = as_compute_dtype(X, self.weight.dtype, "TiedLinear.forward")
        check_shape("TiedLinear.forward", "X", X, (None, self.input))
        Y = X @ self.weight.T
        if self.bias:
            Y += self._parameters["b"]
        return Y

    def backward_update_gradient(self, input, delta):
        where = "TiedLinear.backward_update_gradient"
        input = as_compute_dtype(input, self.weight.dtype, where, "input")
        check_shape(where, "input", input, (None, self.input))
        delta = check_delta(where, delta, (input.shape[0], self.output), input.shape)
        self.twin._gradient["W"] += delta.T @ input
        if self.bias:
            self._gradient["b"] += delta.sum(axis=0)

    def backward_delta(self, input, delta):
        where = "TiedLinear.backward_delta"
        input = as_float(input, where, "input", int_dtype=None)  # only its shape is needed
        check_shape(where, "input", input, (None, self.input))
        delta = check_delta(where, delta, (input.shape[0], self.output), input.shape)
        return delta @ self.weight

    def get_config(self) -> dict:
        return {"twin": self.twin, "bias": self.bias}

    def extra_repr(self) -> str:
        return f"input={self.input}, output={self.output}, bias={self.bias}, tied_to={self.twin!r}"
