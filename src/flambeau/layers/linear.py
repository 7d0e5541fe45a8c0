"""Fully connected layer."""

from __future__ import annotations

from .._checks import as_float, check_bool, check_delta, check_int, check_shape
from ..dtype import parameter_dtype
from ..init import init_bias, init_weight
from ..module import Module
from ..random import make_rng

__all__ = ["Linear"]


class Linear(Module):
    """Affine map ``Y = X W + b``.

    Args:
        input: number of input features.
        output: number of output features.
        bias: learn an additive bias ``b``.
        init: name of the weight initialiser (see ``flambeau.init``), default PyTorch's.
        rng: seed or ``numpy.random.Generator`` for the initial weights.
        dtype: parameter dtype (default: ``flambeau.get_default_dtype()``).

    Shape:
        X ``(batch, input)`` -> Y ``(batch, output)``; ``W`` ``(input, output)``, ``b`` ``(output,)``.

    Gradients:
        ``dL/dW += X^T delta``, ``dL/db += sum_batch delta``, ``dL/dX = delta W^T``.
    """

    def __init__(self, input: int, output: int, bias: bool = True, init: str = "uniform",
                 rng=None, dtype=None):
        super().__init__()
        self.input, self.output = check_int("Linear", "input", input), check_int("Linear", "output", output)
        self.bias, self.init = check_bool("Linear", "bias", bias), init
        self.reset_parameters(rng, dtype)

    def reset_parameters(self, rng=None, dtype=None) -> None:
        """Draw fresh weights (and bias) with the layer's initialiser."""
        rng, dtype = make_rng(rng, "Linear"), parameter_dtype(dtype, "Linear")
        self._parameters = {"W": init_weight(self.init, (self.input, self.output), self.input,
                                             self.output, rng, dtype, "Linear")}
        if self.bias:
            self._parameters["b"] = init_bias(self.init, (self.output,), self.input, rng, dtype, "Linear")
        self._init_gradients()

    def forward(self, X):
        X = self._compute_input(X)
        check_shape("Linear.forward", "X", X, (None, self.input))
        Y = X @ self._parameters["W"]
        if self.bias:
            Y += self._parameters["b"]
        return Y

    def backward_update_gradient(self, input, delta):
        where = "Linear.backward_update_gradient"
        input = self._compute_input(input, "backward_update_gradient")
        check_shape(where, "input", input, (None, self.input))
        delta = check_delta(where, delta, (input.shape[0], self.output), input.shape)
        self._gradient["W"] += input.T @ delta
        if self.bias:
            self._gradient["b"] += delta.sum(axis=0)

    def backward_delta(self, input, delta):
        where = "Linear.backward_delta"
        input = as_float(input, where, "input", int_dtype=None)  # only its shape is needed
        check_shape(where, "input", input, (None, self.input))
        delta = check_delta(where, delta, (input.shape[0], self.output), input.shape)
        return delta @ self._parameters["W"].T

    def get_config(self) -> dict:
        return {"input": self.input, "output": self.output, "bias": self.bias, "init": self.init}
