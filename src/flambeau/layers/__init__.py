"""Layers: one parametric layer per file, element-wise activations together."""

from .activations import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, TanH
from .linear import Linear
from .tied import TiedLinear

__all__ = ["Identity", "LeakyReLU", "Linear", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "TanH",
           "TiedLinear"]
