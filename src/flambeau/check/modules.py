"""``check_module`` / ``check_loss``: the battery of ``flambeau.testing`` with the course's
selection of checks and the comparison with the library's counterpart (see ``flambeau.check``)."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from ..testing import CheckReport
from ..testing import check_loss as _battery_loss
from ..testing import check_module as _battery_module
from ..testing.cases import DOMAINS
from ..testing.counterparts import loss_counterpart, module_counterpart

__all__ = ["COURSE_SKIP", "check_loss", "check_module", "draw_input"]

COURSE_SKIP = ("dtype", "uses_input", "save_load")
"""The battery's checks of library obligations the course does not ask for (run with ``strict``)."""


def draw_input(shape, seed: int = 0) -> np.ndarray:
    """A float64 input batch of ``shape`` fit for finite differences on a module of unknown kind:
    magnitudes in [0.1, 2.1] with random signs, no two magnitudes within ``2 / size`` (no value
    near a ReLU's kink at 0, no tie in a max-pooling window)."""
    return DOMAINS["kinkless"](np.random.default_rng([seed, 11]), tuple(shape))


def check_module(module, X, *, seed: int = 0, strict: bool = False, compare: bool = True,
                 skip: Collection[str] = (), output_shape=None) -> CheckReport:
    """Check ``module`` on the sample input batch ``X``; never raises for a broken module.

    Args:
        module: a flambeau ``Module`` subclass, or any object with the course's methods
            (``forward``, ``backward_update_gradient``, ``backward_delta``, ``update_parameters``,
            ``zero_grad``) keeping its arrays in ``_parameters`` / ``_gradient`` (dicts, one
            array, or None). It is left untouched: every check works on its own float64 copy.
        X: a sample input batch, away from kinks and ties (``draw_input(shape)`` draws one).
        seed: seeds ``delta``, the fixed Linear and the entries checked by finite differences.
        strict: also check the library's own obligations (``COURSE_SKIP``).
        compare: compare with the library's class of the same name (``Linear``, ``TanH``,
            ``Sigmoide``, ``Softmax``, ``Conv1D``, ``MaxPool1D``...), when there is one.
        skip: checks not to run, as ``"check"`` or ``"method.check"``.
        output_shape: the expected forward output shape, if known.

    Returns:
        A ``CheckReport``; ``report.notes`` says what the module was compared with.
    """
    counterpart = module_counterpart(module, X) if compare else None
    report = _battery_module(module, X, seed=seed, reference=counterpart and counterpart.reference,
                             save=None if strict else False, output_shape=output_shape,
                             skip=tuple(skip) + (() if strict else COURSE_SKIP))
    return _noted(report, counterpart)


def check_loss(loss, y, yhat, *, seed: int = 0, strict: bool = False, compare: bool = True,
               skip: Collection[str] = ()) -> CheckReport:
    """Check ``loss`` on targets ``y`` and predictions ``yhat``; never raises for a broken loss.

    Args:
        loss: any object with ``forward(y, yhat)`` (one loss per sample) and ``backward(y, yhat)``
            (the gradient of their sum with respect to ``yhat``).
        y, yhat: a sample batch in the loss's domain (probabilities for BCE; labels or one-hot
            rows for cross-entropy...).
        seed, strict, compare, skip: as for ``check_module`` (the library's counterparts:
            ``MSELoss``, ``BCELoss`` / ``BCE``, ``CrossEntropyLoss`` / ``CE`` / ``CELogSoftmax``
            on logits or probabilities, ``NLLLoss``).
    """
    counterpart = loss_counterpart(loss, y, yhat) if compare else None
    report = _battery_loss(loss, y, yhat, seed=seed, reference=counterpart and counterpart.reference,
                           skip=tuple(skip) + (() if strict else COURSE_SKIP))
    return _noted(report, counterpart)


def _noted(report: CheckReport, counterpart) -> CheckReport:
    if counterpart is None or not counterpart.note:
        return report
    return CheckReport(report.subject, report.results, report.notes + (counterpart.note,))
