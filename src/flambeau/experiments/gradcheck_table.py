"""The gradient check of every case of the module database (``flambeau.testing``), as a table.

One row per ``ModuleCase`` and ``LossCase``: ``flambeau.gradcheck`` on the case's module (with an
``MSELoss`` against random targets) or on its loss (behind an ``Identity``), inputs drawn from the
case's domain. A library class without a case is a row of its own ("no case"), never left out.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import gradcheck
from ..layers import Identity
from ..losses import MSELoss
from ..testing import LOSS_CASES, MODULE_CASES, uncovered_classes

__all__ = ["gradcheck_rows"]


def _check_module(case, seed: int) -> dict:
    module, X = case.instantiate(seed), case.draw_input(seed)
    out = np.asarray(module.forward(X))
    y = np.random.default_rng([seed, 13]).normal(size=out.shape)
    errors = gradcheck(module, MSELoss(), X, y, seed=seed)
    return {"config": " ".join(repr(module).split()), "input_shape": list(X.shape), "errors": dict(errors)}


def _check_loss(case, seed: int) -> dict:
    loss = case.instantiate(seed)
    y, yhat = case.draw_data(seed)
    errors = gradcheck(Identity(), loss, yhat, y, seed=seed)
    return {"config": repr(loss), "input_shape": list(np.shape(yhat)), "errors": dict(errors)}


def _path(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def gradcheck_rows(tolerance: float = 1e-6, seed: int = 0) -> list[dict]:
    """One record per case: worst relative error and pass/FAIL (or why it was not checked).

    Each record has ``name`` (the case id, e.g. ``"Linear-no_bias"``; the first case of a class
    is named after the class), ``class``, ``kind`` ("module" / "loss"), ``path``, ``status`` and,
    when checked, ``config``, ``input_shape``, ``errors`` (relative error per tensor) and
    ``max_relative_error``.
    """
    from ..module import LOSSES, MODULES

    rows = []
    for kind, cases, check, registry in (("module", MODULE_CASES, _check_module, MODULES),
                                         ("loss", LOSS_CASES, _check_loss, LOSSES)):
        for case in cases:
            record = {"name": case.id, "class": case.name, "kind": kind, "path": _path(registry[case.name])}
            try:
                record.update(check(case, seed))
            except Exception as error:  # a broken layer is a row of the table, not a crash
                record.update({"status": "error", "detail": f"{type(error).__name__}: {error}"})
            if "errors" in record:
                worst = max(record["errors"].values())
                record["max_relative_error"] = worst
                record["status"] = "pass" if worst < tolerance else "FAIL"
            rows.append(record)
    for cls in uncovered_classes():
        kind = "loss" if cls in LOSSES.values() else "module"
        rows.append({"name": cls.__name__, "class": cls.__name__, "kind": kind, "path": _path(cls),
                     "status": "no case", "detail": "add a case to flambeau/testing/cases.py"})
    return rows
