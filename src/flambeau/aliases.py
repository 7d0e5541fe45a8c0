"""The course's names (French and short forms), as plain assignments. Never used internally."""

from .containers import Sequential
from .layers.activations import Sigmoid
from .losses import BCELoss, CrossEntropyLoss

Sequentiel = Sequential
Sigmoide = Sigmoid
BCE = BCELoss
CE = CrossEntropyLoss
CELogSoftmax = CrossEntropyLoss

__all__ = ["BCE", "CE", "CELogSoftmax", "Sequentiel", "Sigmoide"]
