"""``flambeau.check``: the teacher's API (reports, methods, the library counterpart, strict mode)
and the checking of a whole file (``check_file``, ``parse_assignments``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import flambeau as fb
from flambeau.check import (
    COURSE_SKIP,
    check_file,
    check_loss,
    check_module,
    draw_input,
    parse_assignments,
)
from flambeau.course import Module
from flambeau.testing import MODULE_METHODS
from tests.check import student_modules as s
from tests.helpers import REPO

pytestmark = pytest.mark.usefixtures("restore_registries")

METHODS = {"forward", "backward_delta", "backward_update_gradient", "update_parameters", "zero_grad",
           "__init__"}


def test_the_api_as_the_course_writes_it():
    assert fb.check.check_module is check_module
    report = check_module(s.Linear(3, 4), draw_input((6, 3)), seed=0)
    assert report.passed is True and report.failures == ()
    assert set(MODULE_METHODS) == METHODS == {r.method for r in report.results}
    lines = str(report).splitlines()
    assert len(lines) == len(report.results) + len(report.notes)
    assert all(line.startswith(("PASS  ", "NOTE  ")) for line in lines)


def test_a_failure_names_the_method_the_worst_entry_and_both_values():
    class Linear(s.Linear):
        def backward_update_gradient(self, input, delta):
            self._gradient["W"] += input.T @ delta
            self._gradient["b"] += delta.mean(axis=0)

    report = check_module(Linear(3, 4), draw_input((6, 3)), seed=0)
    assert not report.passed
    assert {f.method for f in report.failures} == {"backward_update_gradient"}
    fd = next(f for f in report.failures if f.check == "finite_differences")
    assert fd.message.startswith("dL/db[") and ": expected " in fd.message and ", got " in fd.message
    line = next(line for line in str(report).splitlines() if line.startswith("FAIL"))
    assert line.split()[:3] == ["FAIL", "backward_update_gradient", "finite_differences"]


def test_course_checks_leave_the_library_obligations_out_and_strict_runs_them():
    class Float64Tanh(s.TanH):  # a course TanH computes in float64 whatever it is given: fine
        def forward(self, X):
            return np.tanh(np.asarray(X, dtype=np.float64))

    X = draw_input((5, 4))
    assert check_module(Float64Tanh(), X).passed
    strict = check_module(Float64Tanh(), X, strict=True)
    assert {(f.method, f.check) for f in strict.failures} == {("forward", "dtype")}
    checks = {r.check for r in check_module(fb.Linear(4, 2), X).results}
    assert not checks & set(COURSE_SKIP)
    assert {"dtype", "uses_input", "save_load"} <= {r.check for r in check_module(fb.Linear(4, 2), X,
                                                                                    strict=True).results}


def test_a_library_module_has_no_counterpart_and_a_student_one_is_compared():
    X = draw_input((6, 3))
    assert check_module(fb.Linear(3, 4), X).notes == ()
    report = check_module(s.Linear(3, 4), X)
    assert report.notes == ("compared with flambeau Linear(input=3, output=4, bias=True), "
                            "W as (input, output), "
                            "b as the bias",)
    agreements = [r for r in report.results if r.check == "agrees_with_library"]
    assert [r.method for r in agreements] == ["forward", "backward_delta", "backward_update_gradient"]
    unchecked = check_module(s.Linear(3, 4), X, compare=False)
    assert not any(r.check == "agrees_with_library" for r in unchecked.results)


class _PyTorchLayoutLinear(Module):
    """``weight`` as (output, input) and a (1, output) ``bias``, as PyTorch stores them."""

    def __init__(self, n_in, n_out):
        super().__init__()
        rng = np.random.default_rng(0)
        self._parameters = {"weight": rng.normal(size=(n_out, n_in)), "bias": rng.normal(size=(1, n_out))}
        self._init_gradients()

    def forward(self, X):
        return X @ self._parameters["weight"].T + self._parameters["bias"]

    def backward_update_gradient(self, input, delta):
        self._gradient["weight"] += delta.T @ input
        self._gradient["bias"] += delta.sum(axis=0, keepdims=True)

    def backward_delta(self, input, delta):
        return delta @ self._parameters["weight"]


class _BiasRowLinear(Module):
    """One array: the weights with the bias as an extra last row (inputs padded with ones)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self._parameters = np.random.default_rng(0).normal(size=(n_in + 1, n_out))
        self._gradient = np.zeros_like(self._parameters)

    def forward(self, X):
        return np.hstack([X, np.ones((len(X), 1))]) @ self._parameters

    def backward_update_gradient(self, input, delta):
        self._gradient += np.hstack([input, np.ones((len(input), 1))]).T @ delta

    def backward_delta(self, input, delta):
        return delta @ self._parameters[:-1].T


@pytest.mark.parametrize("cls, note", [
    (_PyTorchLayoutLinear, "weight as (output, input), bias as the bias"),
    (_BiasRowLinear, "param with the bias as its last row"),
])
def test_the_counterpart_reads_other_layouts(cls, note):
    cls.__name__ = "Linear"  # the name decides the counterpart
    try:
        report = check_module(cls(3, 5), draw_input((4, 3)))
    finally:
        cls.__name__ = cls.__qualname__
    assert report.passed, str(report)
    assert report.notes[0].endswith(note)
    assert sum(r.check == "agrees_with_library" for r in report.results) == 3


def test_a_pooling_layer_is_compared_whatever_its_attributes_are_called():
    class MaxPool1D(s.MaxPool1D):
        def __init__(self, size, step):
            Module.__init__(self)
            self.size_, self.step_ = size, step

        def forward(self, X):
            self.k_size, self.stride = self.size_, self.step_
            return super().forward(X)

        def backward_delta(self, input, delta):
            return np.zeros_like(input)

    report = check_module(MaxPool1D(3, 2), draw_input((4, 11, 2)))
    assert report.notes == ("compared with flambeau MaxPool1D(k_size=3, stride=2)",)
    assert {(f.method, f.check) for f in report.failures} == {
        ("backward_delta", "finite_differences"), ("backward_delta", "behind_linear"),
        ("backward_delta", "agrees_with_library")}


def test_a_module_whose_arrays_fit_no_configuration_is_not_compared_and_says_why():
    class Linear(s.Linear):
        def __init__(self):
            super().__init__(3, 4)
            self._parameters["extra"] = np.zeros(7)
            self._gradient["extra"] = np.zeros(7)

    report = check_module(Linear(), draw_input((6, 3)))
    assert report.passed
    assert report.notes == ("not compared with flambeau's Linear: input (6, 3), output (6, 4) and W (3, 4), "
                            "b (4,), extra (7,) fit none of its configurations",)


def test_a_cross_entropy_on_probabilities_is_compared_with_the_matching_configuration():
    from flambeau.course import Loss

    class CELoss(Loss):
        def forward(self, y, yhat):
            return -np.log((y * yhat).sum(axis=1))

        def backward(self, y, yhat):
            return -y / yhat

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    report = check_loss(CELoss(), np.eye(4)[rng.integers(0, 4, 6)], p)
    assert report.passed, str(report)
    assert report.notes == ("compared with flambeau CrossEntropyLoss(from_logits=False)",)


def test_a_loss_crash_is_a_failure_of_that_method():
    class MSELoss(s.MSELoss):
        def backward(self, y, yhat):
            raise ValueError("to do")

    report = check_loss(MSELoss(), *np.random.default_rng(0).normal(size=(2, 5, 3)))
    assert {f.method for f in report.failures} == {"backward"}
    assert all("backward raised ValueError: to do (test_check.py, line" in f.message for f in report.failures)


def test_draw_input_is_away_from_kinks_and_ties():
    X = draw_input((50, 40), seed=3)
    magnitudes = np.sort(np.abs(X).ravel())
    assert magnitudes[0] >= 0.1 and np.diff(magnitudes).min() > 0.5 / X.size
    assert (X > 0).mean() == pytest.approx(0.5, abs=0.05)
    np.testing.assert_array_equal(X, draw_input((50, 40), seed=3))


# -- parse_assignments: literals only ------------------------------------------------------------------------
def test_parse_assignments_reads_literals():
    assert parse_assignments("Linear=(3, 4), Conv1D=(3, 1, 4, 2)") == {"Linear": (3, 4),
                                                                      "Conv1D": (3, 1, 4, 2)}
    assert parse_assignments("MaxPool1D={'k_size': 2, 'stride': 2}, TanH=None") == {
        "MaxPool1D": {"k_size": 2, "stride": 2}, "TanH": None}
    assert parse_assignments(" (5, 3) ") == {"*": (5, 3)}


@pytest.mark.parametrize("text, message", [
    ("Linear=(3, 4", "cannot read 'Linear=(3, 4': write NAME=VALUE"),
    ("(3, 4), Linear=(3, 4)", "every value needs a class name"),
    ("Linear=__import__('os').system('true')", "the value of Linear in"),
    ("Linear=open('x')", "is not a Python literal"),
])
def test_parse_assignments_never_executes_and_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match="--args: ") as error:
        parse_assignments(text)
    assert message in str(error.value)


# -- check_file -------------------------------------------------------------------------------------
def test_check_file_checks_every_class_of_a_course_skeleton_file():
    result = check_file(REPO / "tests/check/student_skeleton.py", args={"Linear": (3, 4)})
    assert result.passed, str(result)
    assert [(c.name, c.kind, c.status) for c in result.classes] == [
        ("MSELoss", "loss", "checked"), ("Linear", "module", "checked"), ("TanH", "module", "checked"),
        ("Sigmoide", "module", "checked")]
    linear = result.classes[1]
    assert linear.message == "Linear(3, 4) on inputs (5, 3) (inferred; --input-shape to choose)"
    graded = result.as_json()
    assert graded["score"] == graded["max_score"] == len(graded["tests"]) > 40
    assert graded["tests"][0] == {"name": "MSELoss: __init__.repr", "score": 1, "max_score": 1,
                                  "status": "passed", "output": "MSELoss"}
    json.dumps(graded, allow_nan=False)


def test_check_file_infers_shapes_and_skips_abstract_classes_and_containers(tmp_path):
    path = tmp_path / "student.py"
    path.write_text(
        "import numpy as np\n"
        "from flambeau.course import Module\n"
        "from tests.check.student_modules import Conv1D as _Conv, MaxPool1D as _Pool, TanH as _TanH\n"
        "class Activation(Module):\n"
        "    def update_parameters(self, gradient_step=1e-3):\n"
        "        pass\n"
        "class TanH(Activation, _TanH):\n"
        "    pass\n"
        "class Conv1D(_Conv):\n"
        "    pass\n"
        "class MaxPool1D(_Pool):\n"
        "    pass\n"
        "class Sequentiel(Module):\n"
        "    def __init__(self, *modules):\n"
        "        super().__init__()\n"
        "        self.modules = modules\n"
        "Tangente = TanH  # a second name: checked once\n")
    result = check_file(path, args={"Conv1D": (3, 2, 4, 2), "MaxPool1D": {"k_size": 3, "stride": 2}})
    assert result.passed, str(result)
    messages = {c.name: (c.status, c.message) for c in result.classes}
    assert messages["Activation"] == ("skipped", "abstract (no forward or backward_delta of its own)")
    assert messages["Sequentiel"][0] == "skipped" and "a container" in messages["Sequentiel"][1]
    assert messages["Conv1D"] == ("checked", "Conv1D(3, 2, 4, 2) on inputs (5, 15, 2) (inferred; "
                                             "--input-shape to choose)")
    assert messages["MaxPool1D"][1].startswith("MaxPool1D(k_size=3, stride=2) on inputs (5, 14, 2)")
    assert result.summary() == "student.py: 3 classes checked, 2 skipped, all passed"


def test_check_file_reports_classes_that_cannot_be_built(tmp_path):
    path = tmp_path / "student.py"
    path.write_text("from tests.check.student_modules import Linear as _L\n"
                    "class Linear(_L):\n    pass\n"
                    "class Broken(_L):\n"
                    "    def __init__(self):\n        raise RuntimeError('oops')\n")
    result = check_file(path)
    assert not result.passed
    linear, broken = result.classes
    assert linear.status == broken.status == "error"
    assert linear.message.startswith("Linear() does not fit Linear(input, output, seed): missing a required "
                                     "argument: 'input'; pass the arguments with --args \"Linear=(3, 4)\"")
    assert broken.message == "Broken() raised RuntimeError: oops"
    assert [t["name"] for t in result.as_json()["tests"]] == ["Linear: __init__", "Broken: __init__"]


def test_check_file_on_a_file_that_does_not_import(tmp_path):
    path = tmp_path / "student.py"
    path.write_text("import numpy as np\n\nclass Linear:\n    x = undefined_name\n")
    result = check_file(path)
    assert not result.passed
    assert result.error == ("student.py does not import, line 4: NameError: name 'undefined_name' is "
                            "not defined")
    assert result.as_json() == {"score": 0, "max_score": 1, "output": f"student.py: {result.error}",
                                "tests": [{"name": "import student.py", "score": 0, "max_score": 1,
                                           "status": "failed", "output": result.error}]}


def test_check_file_usage_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        check_file(tmp_path / "missing.py")
    path = tmp_path / "student.py"
    path.write_text("from tests.check.student_modules import TanH as _T\nclass TanH(_T):\n    pass\n")
    with pytest.raises(ValueError, match=r"--args names Linear, which student.py does not define \(its "
                                         r"Module and Loss classes: TanH\)"):
        check_file(path, args={"Linear": (3, 4)})
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert check_file(empty).error == "defines no class deriving from Module or Loss"
