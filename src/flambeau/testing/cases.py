"""The module database: small seeded instances of every flambeau module and loss, with inputs.

``MODULE_CASES`` holds, for each class of ``flambeau.module.MODULES``, one or more ``ModuleCase``:
how to build a small instance, an input shape and the input domain its gradients need. Several
cases per class keep the variants worth checking (no bias, strides and padding, overlapping
windows, train and eval modes...). ``LOSS_CASES`` does the same for ``LOSSES``. The test suite
(``tests/test_modules.py``) runs the check battery over every case, with PyTorch as reference,
and fails when a class has no case (``uncovered_classes``); the ``gradcheck`` study tabulates them.

Adding a layer: one file in ``flambeau/layers`` and one entry here (plus its PyTorch function in
``flambeau.testing.reference`` when PyTorch has a counterpart).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..autoencoder import AutoEncoder
from ..containers import Concat, Sequential
from ..dtype import default_dtype
from ..layers import (
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
from ..losses import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from ..models import course_hv_conv1d_net
from ..module import LOSSES, MODULES
from .battery import check_module
from .loss_checks import check_loss
from .reference import TORCH_FUNCTIONS, has_torch_reference, torch_loss_reference, torch_reference

__all__ = ["DOMAINS", "LOSS_CASES", "MODULE_CASES", "LossCase", "ModuleCase", "run_case",
           "uncovered_classes"]


# -- input domains ---------------------------------------------------------------------------------
def _away_from_zero(rng, shape):
    """Normal values with ``|x| >= 0.05``: finite differences never straddle a kink at 0."""
    X = rng.normal(size=shape)
    return np.where(np.abs(X) < 0.05, np.copysign(0.1, X), X)


def _distinct(rng, shape):
    """Values in [-2, 2], any two at least ``2 / size`` apart: no ties in a max-pooling window."""
    size = int(np.prod(shape))
    slots = rng.permutation(size) + rng.uniform(0.25, 0.75, size)
    return (slots * (4 / size) - 2).reshape(shape)


def _kinkless(rng, shape):
    """Values of magnitude in [0.1, 2.1], random signs, any two magnitudes at least
    ``2 / size`` apart: away from a kink at 0 AND without ties (a module of unknown kind)."""
    size = int(np.prod(shape))
    magnitudes = 0.1 + (rng.permutation(size) + rng.uniform(0.25, 0.75, size)) * (2 / size)
    return (magnitudes * rng.choice([-1.0, 1.0], size)).reshape(shape)


DOMAINS: dict[str, Callable] = {
    "normal": lambda rng, shape: rng.normal(size=shape),
    "away_from_zero": _away_from_zero,
    "distinct": _distinct,
    "kinkless": _kinkless,
    "unit": lambda rng, shape: rng.uniform(0.05, 0.95, size=shape),
    "shifted": lambda rng, shape: rng.normal(3.0, 2.0, size=shape),
}
"""Name -> ``draw(rng, shape)``: the inputs a case's gradients can be checked on."""


# -- cases ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModuleCase:
    """One small instance of a module class and its input.

    Attributes:
        name: the class checked, a key of ``flambeau.module.MODULES`` (the built module is an
            instance of it, or holds one, e.g. a ``TiedLinear`` beside its twin).
        build: ``build(rng)`` returns the module; called under ``default_dtype(np.float64)``.
        input_shape: shape of the input batch.
        variant: what distinguishes this case from the class's others ("" for the first).
        domain: a key of ``DOMAINS``.
        save: whether the save/load round trip applies.
        torch: whether to compare with PyTorch (``flambeau.testing.reference``).
        notes: why the case is built the way it is.
    """

    name: str
    build: Callable[[np.random.Generator], object]
    input_shape: tuple[int, ...]
    variant: str = ""
    domain: str = "normal"
    save: bool = True
    torch: bool = True
    notes: str = ""

    @property
    def id(self) -> str:
        """Unique name: the class, then the variant (``"Linear-no_bias"``)."""
        return f"{self.name}-{self.variant}" if self.variant else self.name

    def instantiate(self, seed: int = 0):
        """The module, float64, its random initial values drawn from ``seed``."""
        with default_dtype(np.float64):
            return self.build(np.random.default_rng([seed, 10]))

    def draw_input(self, seed: int = 0) -> np.ndarray:
        """An input batch from the case's domain (float64)."""
        return DOMAINS[self.domain](np.random.default_rng([seed, 11]), self.input_shape)


@dataclass(frozen=True)
class LossCase:
    """One loss and a batch in its domain.

    Attributes:
        name: the class checked, a key of ``flambeau.module.LOSSES``.
        build: ``build()`` returns the loss.
        draw: ``draw(rng)`` returns ``(y, yhat)``: targets and predictions.
        variant, torch, notes: as for ``ModuleCase``.
    """

    name: str
    build: Callable[[], object]
    draw: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]
    variant: str = ""
    torch: bool = True
    notes: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}-{self.variant}" if self.variant else self.name

    def instantiate(self, seed: int = 0):
        return self.build()

    def draw_data(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        return self.draw(np.random.default_rng([seed, 12]))


# -- builders -----------------------------------------------------------------------------------------
def _shape_text(value) -> str:
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _conv1d_case(batch, length, chan_in, chan_out, k, stride, padding, bias=True, main=False):
    variant = f"L{length}_c{chan_in}to{chan_out}_k{k}_s{stride}_p{padding}" + ("" if bias else "_no_bias")
    return ModuleCase("Conv1D", lambda rng: Conv1D(k, chan_in, chan_out, stride=stride, padding=padding,
                                                   bias=bias, rng=rng),
                      (batch, length, chan_in), "" if main else variant)


def _conv2d_case(batch, height, width, chan_in, chan_out, k, stride, padding, main=False):
    variant = (f"{height}x{width}_c{chan_in}to{chan_out}_k{_shape_text(k)}_s{_shape_text(stride)}"
               f"_p{_shape_text(padding)}")
    return ModuleCase("Conv2D",
                      lambda rng: Conv2D(k, chan_in, chan_out, stride=stride, padding=padding, rng=rng),
                      (batch, height, width, chan_in), "" if main else variant)


def _pool_case(cls, shape, k, stride, main=False):
    variant = f"{_shape_text(shape)}_k{_shape_text(k)}_s{_shape_text(stride)}"
    domain = "distinct" if cls in (MaxPool1D, MaxPool2D) else "normal"
    return ModuleCase(cls.__name__, lambda rng: cls(k, stride), shape, "" if main else variant, domain)


def _batchnorm(C=4, affine=True, eval_mode=False):
    def build(rng):
        bn = BatchNorm1D(C, momentum=0.3, affine=affine)
        if affine:
            bn._parameters["gamma"][...] = rng.normal(size=C)
            bn._parameters["beta"][...] = rng.normal(size=C)
        if eval_mode:
            bn._buffers["running_mean"][...] = rng.normal(size=C)
            bn._buffers["running_var"][...] = rng.uniform(0.5, 3.0, size=C)
            bn.eval()
        return bn
    return build


class _FixedMaskDropout(Dropout):
    """``Dropout`` re-seeded at every forward: the same mask each time, so that its training path
    can be differentiated (private, hence not registered and not saveable)."""

    def forward(self, X):
        self.rng = np.random.default_rng(0)
        return super().forward(X)


def _fixed_mask_dropout_torch(torch, m, x, leaf):
    import copy

    mask = copy.deepcopy(m).forward(np.ones(tuple(x.shape)))  # the mask, scaled by 1 / (1 - p)
    return x * torch.tensor(mask)


TORCH_FUNCTIONS[_FixedMaskDropout] = _fixed_mask_dropout_torch


def _tied(bias=True):
    def build(rng):
        twin = Linear(5, 3, rng=rng)
        return Sequential(twin, TanH(), TiedLinear(twin, bias=bias, rng=rng))
    return build


def _two_branches(rng):
    return Concat(Linear(3, 2, rng=rng), Sequential(Linear(3, 4, rng=rng), TanH()))


_TIED_SAVE = "a TiedLinear outside an AutoEncoder is saved with a copy of its twin, not tied to it"

# (batch, length, chan_in, chan_out, k, stride, padding): stride > kernel, kernel = length, batch of
# 1, padding, 4+ input channels (im2col copies all windows at once), no bias
_CONV1D = [(3, 11, 2, 4, 3, 1, 0), (2, 11, 3, 2, 3, 2, 1), (1, 9, 1, 5, 2, 3, 0), (4, 5, 2, 3, 5, 1, 0),
           (2, 6, 3, 3, 4, 4, 2), (1, 1, 2, 2, 3, 1, 1), (2, 9, 8, 3, 3, 2, 1), (1, 7, 9, 2, 2, 3, 0),
           (2, 8, 4, 2, 3, 1, 1), (2, 7, 2, 3, 4, 2, 2)]
# (batch, height, width, chan_in, chan_out, k, stride, padding)
_CONV2D = [(2, 6, 7, 2, 3, 3, 1, 1), (1, 5, 5, 1, 4, 5, 1, 0), (2, 8, 6, 3, 2, (2, 3), (3, 2), (1, 0)),
           (3, 7, 7, 2, 2, 2, 3, 0), (1, 4, 9, 3, 5, (3, 1), (1, 2), (0, 2)),
           (2, 6, 5, 8, 3, 3, (2, 1), (1, 0)), (2, 7, 6, 4, 3, (3, 2), (2, 3), (2, 1)),
           (1, 5, 7, 10, 2, (2, 3), (1, 3), (0, 1)), (2, 5, 4, 2, 3, (2, 3), (2, 1), (0, 1)),
           (2, 5, 4, 8, 3, 2, 1, 0)]
# pooling (input shape, k, stride): stride = kernel (tiling, divisible or cropped), overlapping
# windows (stride < kernel), gaps (stride > kernel), kernel = input, batch of 1
_POOL1D = [((3, 10, 2), 2, 2), ((2, 11, 3), 3, 1), ((1, 9, 1), 2, 3), ((2, 5, 4), 5, 1), ((2, 8, 2), 3, 2),
           ((2, 11, 2), 3, 3), ((2, 9, 3), 2, 2), ((2, 9, 3), 3, 1), ((2, 9, 3), 3, 2), ((2, 9, 3), 2, 3)]
_POOL2D = [((2, 6, 6, 3), 2, 2), ((1, 7, 5, 2), 3, 1), ((2, 8, 7, 1), (2, 3), (3, 2)), ((1, 4, 4, 2), 4, 1),
           ((2, 5, 6, 2), 2, 3), ((2, 7, 9, 2), (2, 3), (2, 3)), ((1, 8, 9, 3), (4, 3), (4, 3)),
           ((2, 5, 6, 2), 2, 1), ((2, 5, 6, 2), (2, 3), (2, 1))]

MODULE_CASES: tuple[ModuleCase, ...] = (
    ModuleCase("Identity", lambda rng: Identity(), (5, 4)),
    ModuleCase("TanH", lambda rng: TanH(), (5, 4)),
    ModuleCase("Sigmoid", lambda rng: Sigmoid(), (5, 4)),
    ModuleCase("ReLU", lambda rng: ReLU(), (5, 4), domain="away_from_zero"),
    ModuleCase("LeakyReLU", lambda rng: LeakyReLU(0.2), (5, 4), domain="away_from_zero"),
    ModuleCase("Softmax", lambda rng: Softmax(), (5, 4)),
    ModuleCase("LogSoftmax", lambda rng: LogSoftmax(), (5, 4)),
    ModuleCase("Linear", lambda rng: Linear(4, 3, rng=rng), (6, 4)),
    ModuleCase("Linear", lambda rng: Linear(4, 3, bias=False, rng=rng), (6, 4), "no_bias"),
    *(_conv1d_case(*row, main=i == 0) for i, row in enumerate(_CONV1D)),
    _conv1d_case(2, 7, 2, 3, 2, 3, 1, bias=False),
    *(_conv2d_case(*row, main=i == 0) for i, row in enumerate(_CONV2D)),
    *(_pool_case(cls, *row, main=i == 0) for cls in (MaxPool1D, AvgPool1D) for i, row in enumerate(_POOL1D)),
    *(_pool_case(cls, *row, main=i == 0) for cls in (MaxPool2D, AvgPool2D) for i, row in enumerate(_POOL2D)),
    ModuleCase("BatchNorm1D", _batchnorm(), (8, 4), domain="shifted", notes="training: batch statistics"),
    ModuleCase("BatchNorm1D", _batchnorm(affine=False), (8, 4), "no_affine", domain="shifted"),
    ModuleCase("BatchNorm1D", _batchnorm(eval_mode=True), (5, 4), "eval", domain="shifted",
               notes="evaluation: the running statistics, set to random values"),
    ModuleCase("BatchNorm1D", _batchnorm(C=3), (2, 5, 3), "length_axis", domain="shifted",
               notes="(batch, length, chan): statistics over batch and length"),
    ModuleCase("Dropout", lambda rng: Dropout(0.5, rng=rng).eval(), (5, 4), "eval"),
    ModuleCase("Dropout", lambda rng: _FixedMaskDropout(0.4), (5, 6), "training_fixed_mask", save=False,
               notes="training path with the same mask at every forward (a fresh mask would defeat "
                     "finite differences)"),
    ModuleCase("Flatten", lambda rng: Flatten(), (2, 3, 4)),
    ModuleCase("Reshape", lambda rng: Reshape((4, 3)), (2, 12)),
    ModuleCase("Transpose2D", lambda rng: Transpose2D(), (2, 3, 4, 2)),
    ModuleCase("TiedLinear", _tied(), (6, 5), save=False, notes=_TIED_SAVE),
    ModuleCase("TiedLinear", _tied(bias=False), (6, 5), "no_bias", save=False, notes=_TIED_SAVE),
    ModuleCase("Sequential", lambda rng: Sequential(Linear(3, 5, rng=rng), TanH(), Linear(5, 2, rng=rng),
                                                    Sigmoid()), (7, 3)),
    ModuleCase("Sequential", lambda rng: Sequential(Sequential(Linear(3, 4, rng=rng), TanH()),
                                                    Linear(4, 1, rng=rng)), (3, 3), "nested"),
    ModuleCase("Concat", _two_branches, (5, 3)),
    ModuleCase("Concat", lambda rng: Concat(Conv1D(3, 2, 4, rng=rng), Conv1D(5, 2, 4, padding=1, rng=rng),
                                            axis=1), (2, 10, 2), "axis_1"),
    ModuleCase("Concat", lambda rng: course_hv_conv1d_net(side=4, channels=2, rng=rng), (3, 16),
               "course_hv_net", notes="the course's horizontal + vertical Conv1D network"),
    ModuleCase("AutoEncoder", lambda rng: AutoEncoder.symmetric(8, 3, hidden=[5], rng=rng), (6, 8),
               domain="unit"),
    ModuleCase("AutoEncoder", lambda rng: AutoEncoder.symmetric(8, 3, hidden=[5], tied=True, rng=rng),
               (6, 8), "tied", domain="unit"),
    ModuleCase("AutoEncoder", lambda rng: AutoEncoder.symmetric(7, 2, steps=2, activation=LeakyReLU(0.1),
                                                                tied=True, init="he", rng=rng), (5, 7),
               "leaky_relu_tied", domain="unit",
               notes="He init: with the default's smaller weights, LeakyReLU(0.1) and the sigmoid leave "
                     "gradients near 1e-4, where the round-off of finite differences reaches 5e-6"),
)
"""Every module case, grouped by class."""


# -- loss cases --------------------------------------------------------------------------------------
_N, _K = 6, 4


def _labels(rng):
    return rng.integers(0, _K, _N)


def _probabilities(rng):
    logits = rng.normal(size=(_N, _K))
    return np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def _class_data(targets: str, predictions: str):
    """``draw(rng)`` for class losses: labels / one-hot / soft rows, and logits / probabilities /
    log-probabilities."""
    def draw(rng):
        labels = _labels(rng)
        y = {"labels": labels, "onehot": np.eye(_K)[labels], "soft": _probabilities(rng)}[targets]
        if predictions == "logits":
            return y, rng.normal(size=(_N, _K))
        p = _probabilities(rng)
        return y, (p if predictions == "probabilities" else np.log(p))
    return draw


LOSS_CASES: tuple[LossCase, ...] = (
    LossCase("MSELoss", MSELoss, lambda rng: (rng.normal(size=(_N, _K)), rng.normal(size=(_N, _K)))),
    LossCase("MSELoss", MSELoss, lambda rng: (rng.normal(size=(_N, 2, 3)), rng.normal(size=(_N, 2, 3))),
             "images", notes="summed over every non-batch axis"),
    LossCase("MSELoss", lambda: MSELoss(features="mean"),
             lambda rng: (rng.normal(size=(_N, 2, 3)), rng.normal(size=(_N, 2, 3))), "features_mean",
             notes="averaged over every non-batch axis"),
    LossCase("BCELoss", BCELoss, lambda rng: (rng.integers(0, 2, (_N, _K)).astype(float),
                                              rng.uniform(0.05, 0.95, (_N, _K)))),
    LossCase("BCELoss", BCELoss, lambda rng: (rng.uniform(0, 1, (_N, _K)), rng.uniform(0.05, 0.95, (_N, _K))),
             "soft_targets"),
    LossCase("BCELoss", lambda: BCELoss(features="mean"),
             lambda rng: (rng.uniform(0, 1, (_N, _K)), rng.uniform(0.05, 0.95, (_N, _K))), "features_mean"),
    LossCase("CrossEntropyLoss", CrossEntropyLoss, _class_data("labels", "logits")),
    LossCase("CrossEntropyLoss", CrossEntropyLoss, _class_data("onehot", "logits"), "onehot"),
    LossCase("CrossEntropyLoss", CrossEntropyLoss, _class_data("soft", "logits"), "soft_targets"),
    LossCase("CrossEntropyLoss", lambda: CrossEntropyLoss(from_logits=False),
             _class_data("labels", "probabilities"), "probabilities"),
    LossCase("CrossEntropyLoss", lambda: CrossEntropyLoss(from_logits=False),
             _class_data("onehot", "probabilities"), "probabilities_onehot"),
    LossCase("NLLLoss", NLLLoss, _class_data("labels", "log_probabilities")),
    LossCase("NLLLoss", NLLLoss, _class_data("onehot", "log_probabilities"), "onehot"),
)
"""Every loss case."""


# -- running and coverage ------------------------------------------------------------------------------
def run_case(case: ModuleCase | LossCase, seed: int = 0, torch: bool = False):
    """The battery's ``CheckReport`` on ``case`` (with PyTorch as reference when ``torch``)."""
    if isinstance(case, LossCase):
        y, yhat = case.draw_data(seed)
        reference = torch_loss_reference() if torch and case.torch else None
        return check_loss(case.instantiate(seed), y, yhat, seed=seed, reference=reference)
    module = case.instantiate(seed)
    reference = torch_reference() if torch and case.torch and has_torch_reference(module) else None
    return check_module(module, case.draw_input(seed), seed=seed, reference=reference, save=case.save)


# The packages built on the library (data, studies, CLI, web app) define no module or loss: they
# would only slow the import down (tests/test_modules.py checks that they define none).
APPLICATION_PACKAGES = ("flambeau.__main__", "flambeau.app", "flambeau.check", "flambeau.cli",
                        "flambeau.commands", "flambeau.datasets", "flambeau.experiments",
                        "flambeau.signatures", "flambeau.analysis", "flambeau.testing")


def _import_library(package) -> None:
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        if info.name not in APPLICATION_PACKAGES:
            module = importlib.import_module(info.name)
            if info.ispkg:
                _import_library(module)


def library_classes() -> list[type]:
    """Every module and loss class registered by the library itself (its modules imported first)."""
    import flambeau

    _import_library(flambeau)
    classes = [*MODULES.values(), *LOSSES.values()]
    return sorted((cls for cls in classes if cls.__module__.startswith("flambeau.")),
                  key=lambda cls: cls.__name__)


def uncovered_classes() -> list[type]:
    """The library's module and loss classes that no case of ``MODULE_CASES`` / ``LOSS_CASES`` names."""
    covered = {case.name for case in MODULE_CASES} | {case.name for case in LOSS_CASES}
    return [cls for cls in library_classes() if cls.__name__ not in covered]
