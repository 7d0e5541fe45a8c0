"""Modules written on the course's skeleton train under ``Optim`` / ``SGD``, and a module that
replaces its arrays (``=`` for ``+=``, a ``zero_grad`` building new arrays) never freezes silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import flambeau
from flambeau import course
from flambeau.module import Module
from flambeau.optim import GradientReplacedWarning
from flambeau.registry import MODULES


@pytest.fixture(autouse=True)
def _restore_registry():
    saved = dict(MODULES)
    yield
    MODULES.clear()
    MODULES.update(saved)


class SkeletonLinear(course.Module):
    """The course's skeleton: ``_parameters`` ONE array, its own ``zero_grad`` (new array) and
    ``update_parameters``."""

    def __init__(self, input, output, seed=0):
        super().__init__()
        self.input, self.output, self.seed = input, output, seed
        self._parameters = np.random.default_rng(seed).normal(0, 0.5, (input, output))
        self._gradient = np.zeros((input, output))
        self.updates = 0

    def get_config(self):
        return {"input": self.input, "output": self.output, "seed": self.seed}

    def zero_grad(self):
        self._gradient = np.zeros((self.input, self.output))

    def forward(self, X):
        return X @ self._parameters

    def backward_update_gradient(self, input, delta):
        self._gradient += input.T @ delta

    def backward_delta(self, input, delta):
        return delta @ self._parameters.T

    def update_parameters(self, gradient_step=1e-3):
        self.updates += 1
        self._parameters -= gradient_step * self._gradient


class AssigningLinear(SkeletonLinear):
    """``=`` instead of ``+=``: a frozen network under the old ``Optim`` (10.274 -> 10.274)."""

    def backward_update_gradient(self, input, delta):
        self._gradient = input.T @ delta


class DictAssigningLinear(Module):
    def __init__(self, input, output):
        super().__init__()
        self._parameters = {"W": np.random.default_rng(1).normal(0, 0.5, (input, output))}
        self._init_gradients()

    def forward(self, X):
        return X @ self._parameters["W"]

    def backward_update_gradient(self, input, delta):
        self._gradient["W"] = input.T @ delta

    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"].T


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 4))
    return X, np.tanh(X @ rng.normal(size=(4, 2)))


def network(cls=SkeletonLinear):
    return course.Sequentiel(cls(4, 8, seed=0), course.TanH(), cls(8, 2, seed=1))


def loss_of(net, X, Y):
    return float(flambeau.MSELoss().forward(Y, net.forward(X)).mean())


def test_a_skeleton_module_reads_as_one_parameter_named_param():
    layer = SkeletonLinear(4, 3)
    assert list(layer.parameters()) == ["param"] and layer.parameters()["param"] is layer._parameters
    assert list(layer.gradients()) == ["param"] and layer.dtype == np.float64
    assert list(network().parameters()) == ["0.param", "2.param"]
    empty = course.Module()
    empty._parameters = empty._gradient = None
    assert empty.parameters() == {} and empty.gradients() == {}
    empty.zero_grad()


def test_a_store_of_another_type_says_what_to_write():
    layer = SkeletonLinear(4, 3)
    layer._parameters = [layer._parameters]
    with pytest.raises(TypeError, match=r"SkeletonLinear._parameters must be a dict \{name: array\}, "
                                        r"one numpy array or None, got list"):
        layer.parameters()


def test_a_skeleton_network_trains_with_the_course_optim_calling_its_own_update():
    X, Y = data()
    net = network()
    before = loss_of(net, X, Y)
    optim = course.Optim(net, course.MSELoss(), 1e-3)
    for _ in range(200):
        optim.step(X, Y)
    assert loss_of(net, X, Y) < before / 20  # measured: 1.37 -> 0.0272 (a factor of 50)
    assert [m.updates for m in (net[0], net[2])] == [200, 200]


def test_a_skeleton_network_trains_with_sgd_at_both_conventions():
    X, Y = data()
    # measured: 1.37 -> 0.153 (course.SGD, a factor of 9.0), 1.37 -> 0.0721 (flambeau.SGD, 19)
    for sgd, lr, factor in ((course.SGD, 1e-3, 5), (flambeau.SGD, 0.05, 10)):
        net = network()
        before = loss_of(net, X, Y)
        sgd(net, course.MSELoss(), X, Y, batch_size=16, epochs=30, lr=lr, progress=False)
        assert loss_of(net, X, Y) < before / factor


def test_adam_updates_the_arrays_and_never_calls_update_parameters():
    X, Y = data()
    net = network()
    before = loss_of(net, X, Y)
    optim = flambeau.Optim(net, flambeau.MSELoss(), lr=0.01, rule=flambeau.Adam())
    for _ in range(100):
        optim.step(X, Y)
    assert loss_of(net, X, Y) < before / 10  # measured: 1.37 -> 0.0695 (a factor of 20)
    assert net[0].updates == 0


@pytest.mark.parametrize("cls", [AssigningLinear, DictAssigningLinear], ids=["one array", "dict"])
def test_a_module_writing_equals_for_plus_equals_trains_and_is_told_the_fix(cls):
    X, Y = data()
    net = flambeau.Sequential(cls(4, 8), flambeau.TanH(), cls(8, 2))
    before = loss_of(net, X, Y)
    optim = flambeau.Optim(net, flambeau.MSELoss(), lr=0.05)
    with pytest.warns(GradientReplacedWarning) as caught:
        for _ in range(200):
            optim.step(X, Y)
    # measured: 2.60 -> 0.0970 (one array), 1.90 -> 0.126 (dict); the old Optim left the dict
    # case at 1.8981 for all 200 steps
    assert loss_of(net, X, Y) < before / 10
    messages = sorted(str(w.message) for w in caught)
    name = "0.param" if cls is AssigningLinear else "0.W"
    assert len(messages) == 2  # once per array, not once per step
    assert messages[0].startswith(f"Optim.step: {cls.__name__}.backward_update_gradient replaced the "
                                  f"gradient array {name!r} instead of adding into it; write "
                                  "`self._gradient[...] += ...` (not `=`)")


def test_sgd_follows_replaced_arrays_within_an_epoch():
    X, Y = data()
    net = flambeau.Sequential(DictAssigningLinear(4, 8), flambeau.TanH(), DictAssigningLinear(8, 2))
    before = loss_of(net, X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GradientReplacedWarning)
        flambeau.SGD(net, flambeau.MSELoss(), X, Y, batch_size=16, epochs=20, lr=0.05,
                     progress=False)
    assert loss_of(net, X, Y) < before / 10  # measured: 1.90 -> 0.144


def test_a_skeleton_zero_grad_building_new_arrays_gives_no_warning():
    X, Y = data()
    optim = flambeau.Optim(network(), flambeau.MSELoss(), lr=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            optim.step(X, Y)


def test_a_parameter_without_gradient_says_what_to_add():
    layer = SkeletonLinear(4, 2)
    layer._gradient = None
    layer.zero_grad = lambda: None
    layer.backward_update_gradient = lambda input, delta: None  # forgot the gradient altogether
    optim = flambeau.Optim(flambeau.Sequential(layer), flambeau.MSELoss(), lr=0.05)
    X, Y = data()
    with pytest.raises(ValueError, match=r"Optim.step: parameter '0.param' of shape \(4, 2\) has no "
                                         r"gradient array; give each module a _gradient with the same "
                                         r"keys and shapes as _parameters"):
        optim.step(X, Y)


def test_a_skeleton_network_saves_and_loads(tmp_path):
    net = network()
    net.save(tmp_path / "net.npz")
    back = flambeau.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(back[2]._parameters, net[2]._parameters)
    assert type(back[0]) is SkeletonLinear
