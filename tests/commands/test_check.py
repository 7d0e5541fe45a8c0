"""``flambeau check FILE.py``: the report, the exit status, the autograder's JSON, usage errors,
and the README's "For teachers" example, run as written."""

from __future__ import annotations

import json
import shlex
import sys

import numpy as np
import pytest

import flambeau as fb
from flambeau.cli import main
from tests.helpers import REPO, strict_json

pytestmark = pytest.mark.usefixtures("restore_registries")

SKELETON = str(REPO / "tests/check/student_skeleton.py")
STUDENT = str(REPO / "tests/check/student_modules.py")


def test_a_correct_file_passes_with_exit_status_0(capsys):
    assert main(["check", SKELETON, "--args", "Linear=(3, 4)"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("student_skeleton.py: 4 classes checked, all passed\n")
    assert "== Linear (module): Linear(3, 4) on inputs (5, 3) (inferred; --input-shape to choose); " \
           "18 checks, all passed" in out
    assert ("\nNOTE  compared with flambeau Linear(input=3, output=4, bias=False), param as (input, output)\n"
            in out)
    assert "FAIL" not in out


def test_every_course_class_of_a_file(capsys):
    code = main(["check", STUDENT, "--args", "Linear=(3, 4), Conv1D=(3, 2, 4, 2)",
                 "--args", "MaxPool1D={'k_size': 3, 'stride': 2}", "--input-shape", "Flatten=(4, 3, 2)",
                 "--failures"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out == "student_modules.py: 12 classes checked, all passed\n"


def test_a_failing_file_exits_1_and_the_json_scores_each_check(tmp_path, capsys):
    student = tmp_path / "student.py"
    student.write_text("from tests.check.buggy_modules import LinearAssigns as Linear\n"
                       "from tests.check.student_modules import TanH as _T\n"
                       "class TanH(_T):\n    pass\n")
    # the imported LinearAssigns is defined elsewhere: only TanH is this file's
    assert main(["check", str(student)]) == 0
    capsys.readouterr()
    student.write_text("from tests.check.student_modules import Linear as _L\n"
                       "class Linear(_L):\n"
                       "    def backward_update_gradient(self, input, delta):\n"
                       "        self._gradient['W'] = input.T @ delta\n"
                       "        self._gradient['b'] = delta.sum(axis=0)\n")
    results = tmp_path / "results" / "results.json"
    assert main(["check", str(student), "--args", "Linear=(3, 4)", "--json", str(results)]) == 1
    out = capsys.readouterr().out
    assert f"autograder results: {results}\n" in out
    graded = strict_json(results.read_text())
    assert set(graded) == {"score", "max_score", "output", "tests"}
    assert (graded["score"], graded["max_score"]) == (17, 18)
    [failed] = [t for t in graded["tests"] if t["status"] == "failed"]
    assert failed["name"] == "Linear: backward_update_gradient.accumulates" and failed["score"] == 0
    assert main(["check", str(student), "--args", "Linear=(3, 4)", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["tests"] == graded["tests"]


@pytest.mark.parametrize("argv, message", [
    (["--args", "Linear=(3, 4"], "flambeau check: --args: cannot read 'Linear=(3, 4': write NAME=VALUE"),
    (["--args", "(3, 4)"], "flambeau check: --args (3, 4): name the class, e.g. --args \"Linear=(3, 4)\""),
    (["--args", "Dense=(3, 4)"],
     "flambeau check: --args names Dense, which student_skeleton.py does not define"),
    (["--args", "Linear=(3, 4)", "--args", "Linear=(2, 2)"], "flambeau check: --args: Linear is given twice"),
    (["--input-shape", "TanH=(5, -1)"],
     "flambeau check: --input-shape: TanH must be a tuple of positive ints"),
])
def test_a_wrong_command_line_exits_2_with_a_message(argv, message, capsys):
    assert main(["check", SKELETON, *argv]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_a_missing_file_exits_2_and_a_file_that_does_not_import_exits_1(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nothing.py")]) == 2
    assert capsys.readouterr().err == f"flambeau check: no such file: {tmp_path / 'nothing.py'}\n"
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\n\ndef f(:\n    pass\n")
    assert main(["check", str(broken)]) == 1
    assert capsys.readouterr().out.startswith("broken.py: broken.py does not import, line 3: SyntaxError:")


def test_a_class_that_cannot_be_built_is_an_init_failure(capsys):
    assert main(["check", SKELETON]) == 1
    out = capsys.readouterr().out
    assert ("== Linear (module): FAIL  __init__  Linear() does not fit Linear(input, output): missing a "
            "required argument: 'input'; pass the arguments with --args \"Linear=(3, 4)\"") in out


# -- the README's example ------------------------------------------------------------------------------
def _teachers_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## For teachers")
    return readme[start:readme.index("\n## ", start + 1)]


def _blocks(section: str, language: str) -> list[str]:
    parts = section.split(f"```{language}\n")[1:]
    return [part[:part.index("```")] for part in parts]


def test_the_readme_example_is_what_the_command_prints(tmp_path, monkeypatch, capsys):
    section = _teachers_section()
    [student] = _blocks(section, "python")[:1]
    (tmp_path / "student.py").write_text(student)
    monkeypatch.chdir(tmp_path)
    [console] = _blocks(section, "console")
    command, *expected = console.splitlines()
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[0] == "flambeau"
    assert main(argv[1:]) == 1
    assert capsys.readouterr().out.splitlines() == expected
    [excerpt] = _blocks(section, "json")
    assert main([*argv[1:-1], "--json"]) == 1  # without --failures
    printed = capsys.readouterr().out
    assert printed.startswith(excerpt.rstrip(",\n"))


def test_the_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    section = _teachers_section()
    student, api = _blocks(section, "python")[:2]
    (tmp_path / "student.py").write_text(student)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "student", raising=False)
    rng = np.random.default_rng(0)
    namespace = {"loss": fb.MSELoss(), "y": rng.normal(size=(4, 3)), "yhat": rng.normal(size=(4, 3))}
    lines = api.splitlines()
    exec("\n".join(lines[:4]), namespace)  # up to the report of TanH
    assert namespace["report"].passed is False
    assert [(f.method, f.check) for f in namespace["report"].failures] == [
        ("backward_delta", "finite_differences"), ("backward_delta", "behind_linear"),
        ("backward_delta", "agrees_with_library")]
    exec("\n".join(lines[4:]), namespace)
    assert "FAIL  backward_delta" in capsys.readouterr().out
    assert namespace["report"].passed and {r.method for r in namespace["report"].results} == {
        "__init__", "forward", "backward"}
