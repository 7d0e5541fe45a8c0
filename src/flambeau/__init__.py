"""flambeau: a small, readable neural-network library in NumPy, in the style of Lua Torch nn."""

__version__ = "0.1.0"

import importlib as _importlib
import importlib.util as _importlib_util

from ._checks import NotNumericError, ShapeError
from .aliases import BCE, CE, CELogSoftmax, Sequentiel, Sigmoide
from .autoencoder import AutoEncoder
from .callbacks import Callback, EarlyStopping, StopTraining
from .checkpoint import Checkpoint
from .containers import Concat, Sequential
from .dtype import PrecisionWarning, default_dtype, get_default_dtype, set_default_dtype
from .evaluation import Metrics
from .gradcheck import gradcheck
from .layers import (
    AvgPool1D,
    AvgPool2D,
    BatchNorm1D,
    Conv1D,
    Conv2D,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool1D,
    MaxPool2D,
    ReLU,
    Reshape,
    Sigmoid,
    Softmax,
    TanH,
    TiedLinear,
    Transpose2D,
)
from .losses import BCELoss, CrossEntropyLoss, DomainError, MSELoss, NLLLoss
from .metrics import accuracy
from .module import Loss, Module
from .optim import Optim
from .random import manual_seed
from .regularization import clip_grad_norm
from .rules import Adam, AdamW, GradientDescent, Momentum, RMSprop
from .schedules import CosineLR, ExponentialLR, LRSchedule, ReduceLROnPlateau, StepLR
from .serialization import SerializationError, load, save
from .training import SGD, DivergenceError, History, evaluate, predict

__all__ = [
    "Adam",
    "AdamW",
    "AutoEncoder",
    "AvgPool1D",
    "AvgPool2D",
    "BCE",
    "BCELoss",
    "BatchNorm1D",
    "CE",
    "CELogSoftmax",
    "Callback",
    "Checkpoint",
    "Concat",
    "Conv1D",
    "Conv2D",
    "CosineLR",
    "CrossEntropyLoss",
    "DivergenceError",
    "DomainError",
    "Dropout",
    "EarlyStopping",
    "ExponentialLR",
    "Flatten",
    "GradientDescent",
    "History",
    "Identity",
    "LRSchedule",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Loss",
    "MSELoss",
    "MaxPool1D",
    "MaxPool2D",
    "Metrics",
    "Module",
    "Momentum",
    "NLLLoss",
    "NotNumericError",
    "Optim",
    "PrecisionWarning",
    "RMSprop",
    "ReLU",
    "ReduceLROnPlateau",
    "Reshape",
    "SGD",
    "Sequential",
    "Sequentiel",
    "SerializationError",
    "ShapeError",
    "Sigmoid",
    "Sigmoide",
    "Softmax",
    "StepLR",
    "StopTraining",
    "TanH",
    "TiedLinear",
    "Transpose2D",
    "__version__",
    "accuracy",
    "clip_grad_norm",
    "default_dtype",
    "evaluate",
    "get_default_dtype",
    "gradcheck",
    "load",
    "manual_seed",
    "predict",
    "save",
    "set_default_dtype",
]

#: Submodules imported on first use (``flambeau.datasets``...), so that ``import flambeau``
#: loads neither matplotlib nor scikit-learn. A name whose module does not exist is skipped.
_LAZY_SUBMODULES = ("analysis", "check", "course", "datasets", "interop", "metrics", "plot", "signatures",
                    "studies")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        try:
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    available = {name for name in _LAZY_SUBMODULES
                 if _importlib_util.find_spec(f"{__name__}.{name}") is not None}
    return sorted(set(globals()) | available)
