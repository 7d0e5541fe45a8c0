"""The course's dialect ("Réseau de neurones DIY"): its names, its gradient convention, its helpers.

    from flambeau.course import *

gives the classes the course has students write (``Module``, ``Loss``, ``Linear``,
``MSELoss``, ``TanH``, ``Sigmoide``, ``Softmax``, ``LogSoftmax``, ``BCE``, ``CE``,
``CELogSoftmax``, ``Conv1D``, ``MaxPool1D``, ``AvgPool1D``, ``Flatten``, ``ReLU``,
``Sequentiel``, ``AutoEncoder``), ``Optim`` and ``SGD`` at the course's convention (the
gradient of the SUM of a batch's losses: ``reduction="sum"``, see ``convention``), and the
course's ``mltools`` helpers with their original signatures (``gen_arti``, ``make_grid``,
``plot_data``, ``plot_frontiere``, ``load_usps``, ``get_usps``, ``show_usps``).

The classes are flambeau's own (``Sequentiel is flambeau.Sequential``); only ``Optim`` and
``SGD`` differ from ``import flambeau``, by the default of ``reduction``.
"""

from ..aliases import BCE, CE, CELogSoftmax, Sequentiel, Sigmoide
from ..autoencoder import AutoEncoder
from ..layers import AvgPool1D, Conv1D, Flatten, Linear, LogSoftmax, MaxPool1D, ReLU, Softmax, TanH
from ..losses import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from ..module import Loss, Module
from .convention import SGD, Optim
from .mltools import gen_arti, get_usps, load_usps, make_grid, plot_data, plot_frontiere, show_usps

__all__ = [
    "AutoEncoder",
    "AvgPool1D",
    "BCE",
    "BCELoss",
    "CE",
    "CELogSoftmax",
    "Conv1D",
    "CrossEntropyLoss",
    "Flatten",
    "Linear",
    "LogSoftmax",
    "Loss",
    "MSELoss",
    "MaxPool1D",
    "Module",
    "NLLLoss",
    "Optim",
    "ReLU",
    "SGD",
    "Sequentiel",
    "Sigmoide",
    "Softmax",
    "TanH",
    "gen_arti",
    "get_usps",
    "load_usps",
    "make_grid",
    "plot_data",
    "plot_frontiere",
    "show_usps",
]
