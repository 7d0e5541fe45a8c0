"""The teacher's checker: is a student's module or loss right, and if not, which method is wrong?

    from flambeau.check import check_module, check_loss
    report = check_module(module, X, seed=0)    # X: a sample input batch
    report.passed        # bool
    report.failures      # each with .check, .method, .message
    print(report)        # one line per check: PASS/FAIL, the method, what differs, where
    report = check_loss(loss, y, yhat, seed=0)  # methods "forward", "backward"

``check_module`` runs the check battery that proves flambeau's own layers
(``flambeau.testing``) on the course's contract, and compares the module with the library's class
of the same name on the same weights (``flambeau.testing.counterparts``). A failure's
``.method`` is one of ``"__init__"``, ``"forward"``, ``"backward_update_gradient"``,
``"backward_delta"``, ``"update_parameters"``, ``"zero_grad"`` (``"forward"``, ``"backward"``
for a loss); its message names the worst entry, the expected and the obtained value, or the
exception raised (with the line of the student's file).

The checks: forward output shape (batch axis, finite values) and determinism; no argument
modified in place (the input by ``forward``, the input and delta by the backward passes);
``backward_delta`` against the finite-difference input Jacobian (float64), alone and behind a
fixed Linear; ``backward_update_gradient`` against finite differences for every parameter, one
gradient per parameter of its shape, accumulation (two calls give twice one call: ``+=``, not
``=``); ``zero_grad`` back to zeros of the right shapes; ``update_parameters(eps)`` moves every
parameter by exactly ``-eps * grad``; agreement with the library's counterpart. For a loss:
``forward`` gives one finite value per sample, ``backward`` the gradient of their sum.

The course asks for none of the library's own obligations, so they are left out unless
``strict=True``: dtypes kept (float32 stays float32), backward passes using the input they are
handed rather than one cached by the last forward, and save/load (``COURSE_SKIP``).

``check_file("student.py")`` checks every Module and Loss class of a file (what
``flambeau check student.py`` runs; see ``flambeau.check.student_file``).
"""

from ..testing import CheckReport, CheckResult
from .modules import COURSE_SKIP, check_loss, check_module, draw_input
from .student_file import ClassCheck, FileCheck, check_file, parse_assignments

__all__ = ["COURSE_SKIP", "CheckReport", "CheckResult", "ClassCheck", "FileCheck", "check_file",
           "check_loss", "check_module", "draw_input", "parse_assignments"]
