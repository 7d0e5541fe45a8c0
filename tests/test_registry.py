"""A student's classes beside the library's: qualified registry names, save-time checks that a
module can be rebuilt, and loading files that name user classes (``modules=``, ``import_file``)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import flambeau
from flambeau.registry import MODULES, class_key, is_library_class
from flambeau.serialization import SerializationError, build_module
from flambeau.user_code import import_file

STUDENT_LINEAR = textwrap.dedent('''
    import numpy as np
    from flambeau.course import Module

    class Linear(Module):
        """The course's first exercise, with a config so that it can be saved."""

        def __init__(self, input, output):
            super().__init__()
            self.input, self.output = input, output
            self._parameters = {"W": np.random.default_rng(0).normal(size=(input, output))}
            self._gradient = {"W": np.zeros((input, output))}

        def get_config(self):
            return {"input": self.input, "output": self.output}

        def forward(self, X):
            return X @ self._parameters["W"]

        def backward_update_gradient(self, input, delta):
            self._gradient["W"] += input.T @ delta

        def backward_delta(self, input, delta):
            return delta @ self._parameters["W"].T
''')


@pytest.fixture(autouse=True)
def _restore_registry():
    """Each test starts with the library's classes only (other test files' student classes, defined
    when they are collected, are set aside), and the user classes it defines do not outlive it."""
    saved = dict(MODULES)
    for key, cls in saved.items():
        if not is_library_class(cls):
            del MODULES[key]
    yield
    MODULES.clear()
    MODULES.update(saved)


def define(source: str, module_name: str = "__main__") -> dict:
    """Run ``source`` as the body of a module called ``module_name`` (``__main__``: a script)."""
    namespace = {"__name__": module_name}
    exec(compile(source, f"<{module_name}>", "exec"), namespace)
    return namespace


def test_a_student_linear_in_main_is_registered_beside_the_library_linear():
    student = define(STUDENT_LINEAR)["Linear"]
    assert class_key(student) == "__main__.Linear"
    assert MODULES["__main__.Linear"] is student
    assert MODULES["Linear"] is flambeau.Linear


def test_the_student_linear_and_the_library_linear_both_save_and_load(tmp_path):
    student = define(STUDENT_LINEAR)["Linear"]
    mine, theirs = student(3, 2), flambeau.Linear(3, 2, rng=0)
    mine.save(tmp_path / "mine.npz")
    theirs.save(tmp_path / "theirs.npz")
    mine_back, theirs_back = flambeau.load(tmp_path / "mine.npz"), flambeau.load(tmp_path / "theirs.npz")
    assert type(mine_back) is student and type(theirs_back) is flambeau.Linear
    np.testing.assert_array_equal(mine_back._parameters["W"], mine._parameters["W"])
    np.testing.assert_array_equal(theirs_back.parameters()["W"], theirs.parameters()["W"])
    inside = flambeau.Sequential(student(3, 4), flambeau.TanH(), flambeau.Linear(4, 2, rng=1))
    inside.save(tmp_path / "both.npz")
    back = flambeau.load(tmp_path / "both.npz")
    assert [type(m) for m in back.children()] == [student, flambeau.TanH, flambeau.Linear]


def test_a_file_naming_a_class_of_another_process_loads_with_modules(tmp_path):
    student = define(STUDENT_LINEAR)["Linear"]
    student(3, 2).save(tmp_path / "mine.npz")
    del MODULES["__main__.Linear"]  # as in a new process that has not defined the class
    with pytest.raises(SerializationError, match=r"unknown module class '__main__.Linear'; define or "
                                                 r"import the class first, or pass it: "
                                                 r"flambeau.load\(path, modules=\[Linear\]\)"):
        flambeau.load(tmp_path / "mine.npz")
    assert type(flambeau.load(tmp_path / "mine.npz", modules=[student])) is student
    assert type(student.load(tmp_path / "mine.npz")) is student  # Class.load names the class


def test_a_class_with_the_same_qualified_name_elsewhere_loads_the_file(tmp_path):
    define(STUDENT_LINEAR)["Linear"](3, 2).save(tmp_path / "mine.npz")
    del MODULES["__main__.Linear"]
    (tmp_path / "my_layers.py").write_text(STUDENT_LINEAR)
    imported = import_file(tmp_path / "my_layers.py").Linear
    assert class_key(imported).startswith("flambeau_user_my_layers_")
    assert type(flambeau.load(tmp_path / "mine.npz")) is imported


def test_a_bare_user_name_of_an_older_file_loads_when_one_class_has_it():
    student = define(STUDENT_LINEAR)["Linear"]
    define(STUDENT_LINEAR.replace("class Linear", "class Scale"))
    spec = {"class": "Scale", "config": {"input": 2, "output": 2}}
    assert type(build_module(spec)).__name__ == "Scale"
    assert type(build_module({"class": "Linear", "config": {"input": 2, "output": 2, "bias": True,
                                                            "init": "uniform"}})) is flambeau.Linear
    assert type(build_module({"class": "Linear", "config": {"input": 2, "output": 2}},
                             modules=[student])) is student
    define(STUDENT_LINEAR.replace("class Linear", "class Scale"), "other_script")
    with pytest.raises(SerializationError, match=r"'Scale' matches several classes \(__main__.Scale, "
                                                 r"other_script.Scale\); name the one to use"):
        build_module(spec)


def test_saving_a_module_without_a_usable_get_config_fails_at_save_time(tmp_path):
    source = STUDENT_LINEAR.replace("def get_config(self):", "def unused(self):")
    student = define(source)["Linear"]
    message = (r"save: Linear cannot be rebuilt from get_config\(\) = \{\} \(missing a required "
               r"argument: 'input'\): loading calls Linear\(\*\*get_config\(\)\). Add to Linear a "
               r"method `def get_config\(self\): return \{'input': self.input, 'output': "
               r"self.output\}`")
    with pytest.raises(SerializationError, match=message):
        student(3, 2).save(tmp_path / "mine.npz")
    with pytest.raises(SerializationError, match=message):  # inside a container too
        flambeau.Sequential(student(3, 2)).save(tmp_path / "net.npz")
    assert list(tmp_path.iterdir()) == []


def test_saving_an_instance_of_a_redefined_class_says_to_build_it_again(tmp_path):
    old = define(STUDENT_LINEAR)["Linear"](3, 2)
    define(STUDENT_LINEAR)  # the cell is run again: a new class under the same name
    with pytest.raises(SerializationError, match=r"class __main__.Linear is not registered .*it was "
                                                 r"defined again since this module was built"):
        old.save(tmp_path / "old.npz")


def test_load_refuses_modules_that_are_not_classes(tmp_path):
    flambeau.Linear(2, 2, rng=0).save(tmp_path / "l.npz")
    with pytest.raises(TypeError, match="load: modules must be a list of Module classes, got 3"):
        flambeau.load(tmp_path / "l.npz", modules=[3])


def test_import_file_names_the_file_that_fails(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('typo')\n")
    with pytest.raises(ImportError, match=r"import_file: running .*broken.py failed: RuntimeError: typo"):
        import_file(tmp_path / "broken.py")
    with pytest.raises(ImportError, match="import_file: no such file"):
        import_file(tmp_path / "missing.py")


def test_import_file_runs_a_changed_file_again_only_when_asked(tmp_path):
    path = tmp_path / "layers_v.py"
    path.write_text("VERSION = 1\n")
    assert import_file(path).VERSION == 1
    path.write_text("VERSION = 2\n")
    assert import_file(path).VERSION == 1  # the same module, not run again
    assert import_file(path, reload=True).VERSION == 2
