"""Layers: one parametric layer per file, element-wise activations together."""

from .activations import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, TanH
from .batchnorm import BatchNorm1D
from .conv import Conv1D, Conv2D
from .dropout import Dropout
from .linear import Linear
from .pooling import AvgPool1D, AvgPool2D, MaxPool1D, MaxPool2D
from .reshape import Flatten, Reshape, Transpose2D
from .tied import TiedLinear

__all__ = [
    "AvgPool1D",
    "AvgPool2D",
    "BatchNorm1D",
    "Conv1D",
    "Conv2D",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MaxPool1D",
    "MaxPool2D",
    "ReLU",
    "Reshape",
    "Sigmoid",
    "Softmax",
    "TanH",
    "TiedLinear",
    "Transpose2D",
]
