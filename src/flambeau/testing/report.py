"""What a check battery returns: one ``CheckResult`` per check, gathered in a ``CheckReport``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOSS_METHODS", "MODULE_METHODS", "CheckReport", "CheckResult"]

MODULE_METHODS = ("__init__", "forward", "backward_update_gradient", "backward_delta",
                  "update_parameters", "zero_grad")
"""The methods a module check names (``__init__`` covers construction, repr, copy and saving)."""

LOSS_METHODS = ("__init__", "forward", "backward")
"""The methods a loss check names."""


@dataclass(frozen=True)
class CheckResult:
    """One check of one method.

    Attributes:
        check: short name of the check (``"finite_differences"``, ``"accumulates"``...).
        method: the method found at fault (one of ``MODULE_METHODS`` or ``LOSS_METHODS``): the
            method checked, or the one that raised while the check ran.
        passed: the verdict.
        message: what was measured; for a failure, what differs and where (the worst index, the
            expected and the obtained value) or the exception raised.
    """

    check: str
    method: str
    passed: bool
    message: str

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.method:<24} {self.check:<26} {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """Every check run on one module or loss.

    Attributes:
        subject: what was checked (class name and repr).
        results: every ``CheckResult``, in the order the checks ran.
        notes: what the reader should know beside the verdicts (what the module was compared
            with, or why it was not); printed after the checks as ``NOTE`` lines.
    """

    subject: str
    results: tuple[CheckResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The failed checks."""
        return tuple(result for result in self.results if not result.passed)

    def summary(self) -> str:
        """One line: the subject and how many checks failed."""
        verdict = "all passed" if self.passed else f"{len(self.failures)} failed"
        return f"{self.subject}: {len(self.results)} checks, {verdict}"

    def as_dict(self) -> dict:
        """JSON-ready ``{"subject", "passed", "results": [{check, method, passed, message}], "notes"}``."""
        return {"subject": self.subject, "passed": self.passed,
                "results": [vars(result).copy() for result in self.results], "notes": list(self.notes)}

    def __str__(self) -> str:
        return "\n".join([str(result) for result in self.results] + [f"NOTE  {note}" for note in self.notes])
