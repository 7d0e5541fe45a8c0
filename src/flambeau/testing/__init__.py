"""Checking modules and losses against the course contract (library code, like Lua Torch's
``nn.Jacobian``): a check battery that runs on any module or loss instance, and the module
database it runs over in the test suite.

- ``check_module(module, X)`` / ``check_loss(loss, y, yhat)`` return a ``CheckReport``:
  ``report.passed``, ``report.failures`` (each with ``.check``, ``.method``, ``.message``) and
  ``print(report)``, one line per check. A method that raises is a failure of that method.
- ``MODULE_CASES`` / ``LOSS_CASES``: small seeded instances of every flambeau module and loss,
  with input domains and a PyTorch reference (``torch_reference``); ``run_case(case)`` checks one,
  ``uncovered_classes()`` lists the library's classes that have no case.
- ``module_counterpart`` / ``loss_counterpart``: the library class a class written elsewhere is
  compared with (same name, weights matched by shape), as a ``Reference``.

The teacher's entry point is ``flambeau.check`` (the course's selection of these checks, the
counterpart by default, and ``check_file`` for a whole student file).

Not imported by ``import flambeau``; PyTorch is imported only when a reference runs.

Example:
    >>> from flambeau.testing import check_module
    >>> report = check_module(Linear(3, 2), np.random.default_rng(0).normal(size=(4, 3)))
    >>> report.passed
    True
"""

from .battery import CHECK_NAMES, UPDATE_STEP, check_module, check_reference
from .cases import (
    DOMAINS,
    LOSS_CASES,
    MODULE_CASES,
    LossCase,
    ModuleCase,
    library_classes,
    run_case,
    uncovered_classes,
)
from .counterparts import COUNTERPARTS, Counterpart, loss_counterpart, module_counterpart
from .loss_checks import LOSS_CHECK_NAMES, check_loss
from .reference import has_torch_reference, torch_loss_reference, torch_reference
from .report import LOSS_METHODS, MODULE_METHODS, CheckReport, CheckResult
from .verdicts import (
    FD_STEPS,
    GRADIENT_TOLERANCE,
    MAX_ENTRIES,
    REFERENCE_TOLERANCE,
    ROUNDING_TOLERANCE,
    Reference,
)

__all__ = [
    "CHECK_NAMES",
    "COUNTERPARTS",
    "DOMAINS",
    "FD_STEPS",
    "GRADIENT_TOLERANCE",
    "LOSS_CASES",
    "LOSS_CHECK_NAMES",
    "LOSS_METHODS",
    "MAX_ENTRIES",
    "MODULE_CASES",
    "MODULE_METHODS",
    "REFERENCE_TOLERANCE",
    "ROUNDING_TOLERANCE",
    "UPDATE_STEP",
    "CheckReport",
    "CheckResult",
    "Counterpart",
    "LossCase",
    "ModuleCase",
    "Reference",
    "check_loss",
    "check_module",
    "check_reference",
    "has_torch_reference",
    "library_classes",
    "loss_counterpart",
    "module_counterpart",
    "run_case",
    "torch_loss_reference",
    "torch_reference",
    "uncovered_classes",
]
