"""The library's counterpart of a class written elsewhere: agreement on the same weights.

A student's ``Linear`` (or a class deriving from one named ``Linear``) is compared with
flambeau's ``Linear`` holding the same weights: same output, same input gradient, same parameter
gradients. Finite differences prove that a module's backward passes differentiate ITS forward;
only a trusted implementation proves the forward itself (a sigmoid written ``1 / (1 + exp(x))``
has consistent, wrong, gradients).

The counterpart is found by class name, case and French spelling aside (``COUNTERPARTS``). Its
configuration is read from the module: the parameters are matched by shape (``W`` as
``(input, output)`` or PyTorch's ``(output, input)``, the bias as its own array or as an extra
row of ``W``), strides and window sizes from the usual attribute names (``k_size``, ``stride``)
or, when absent, from the output shape; among the configurations that fit, the one whose output
is closest to the module's is used (so a wrong forward is compared with the closest correct one).
A module whose arrays fit no configuration is not compared (the reason is given).

``module_counterpart(module, X)`` / ``loss_counterpart(loss, y, yhat)`` return a ``Counterpart``:
a ``Reference`` for ``check_module`` / ``check_loss``, or the reason why there is none.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..dtype import default_dtype
from ..gradcheck import relative_error
from ..layers import (
    AvgPool1D,
    Conv1D,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool1D,
    ReLU,
    Sigmoid,
    Softmax,
    TanH,
)
from ..losses import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from ..registry import is_library_class
from .access import copy_of, parameters_of
from .verdicts import Reference

__all__ = ["COUNTERPARTS", "Counterpart", "counterpart_name", "loss_counterpart", "module_counterpart"]

COUNTERPARTS: dict[str, str] = {
    "linear": "Linear", "tanh": "TanH", "sigmoid": "Sigmoid", "sigmoide": "Sigmoid", "relu": "ReLU",
    "leakyrelu": "LeakyReLU", "softmax": "Softmax", "logsoftmax": "LogSoftmax", "identity": "Identity",
    "flatten": "Flatten", "conv1d": "Conv1D", "maxpool1d": "MaxPool1D", "avgpool1d": "AvgPool1D",
    "mseloss": "MSELoss", "mse": "MSELoss", "bceloss": "BCELoss", "bce": "BCELoss",
    "crossentropyloss": "CrossEntropyLoss", "celoss": "CrossEntropyLoss", "ce": "CrossEntropyLoss",
    "celogsoftmax": "CrossEntropyLoss", "nllloss": "NLLLoss",
}
"""Class name, lower-cased -> the library class it is compared with."""

_BASES = {"Module", "Loss", "object"}
_KERNEL_ATTRIBUTES = ("k_size", "kernel_size", "k", "kernel", "size", "pool_size")
_STRIDE_ATTRIBUTES = ("stride", "s", "step")
_SLOPE_ATTRIBUTES = ("alpha", "negative_slope", "slope", "a")


@dataclass(frozen=True)
class Counterpart:
    """The outcome of the search: ``reference`` (None when there is no counterpart) and ``note``,
    what it is compared with or why nothing is."""

    reference: Reference | None
    note: str


def counterpart_name(cls: type) -> str | None:
    """The library class that ``cls`` is compared with: the counterpart of its own name or of the
    nearest base class with a known name (``LinearNoBias(Linear)`` -> ``"Linear"``); None for a
    library class or a class without one."""
    if is_library_class(cls):
        return None
    for klass in cls.__mro__:
        if klass.__name__ in _BASES or is_library_class(klass):
            return None
        name = COUNTERPARTS.get(klass.__name__.lower())
        if name is not None:
            return name
    return None


# -- a configuration of the library's module, and how the arrays map onto it ------------------------
@dataclass(frozen=True)
class _Plan:
    """One configuration: ``build(params)`` gives the float64 library module holding the student's
    weights; ``to_student(grads)`` gives the library's gradients under the student's names and
    layouts; ``text`` describes it."""

    build: Callable[[dict], object]
    to_student: Callable[[dict], dict]
    text: str


def _attribute(module, names, kind=int):
    for name in names:
        for attr in (name, f"_{name}"):
            value = getattr(module, attr, None)
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and kind is int:
                return int(value)
            if isinstance(value, (float, np.floating)) and kind is float:
                return float(value)
    return None


def _fixed(cls, **config):
    def plans(module, params, X, Y):
        return [_Plan(lambda p: cls(**config), lambda g: {}, f"{cls.__name__}({_args(config)})")]
    return plans


def _args(config) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


def _with_weights(cls, config: dict, weights: dict):
    with default_dtype(np.float64):
        layer = cls(**config)
    for name, value in weights.items():
        layer._parameters[name][...] = value
    return layer


def _linear_plans(module, params, X, Y):
    if X.ndim != 2 or Y.ndim != 2:
        return []
    n_in, n_out = X.shape[1], Y.shape[1]
    plans = []
    names = list(params)
    for w_name in names:
        rest = [n for n in names if n != w_name]
        shape = params[w_name].shape
        layouts = []  # (reads W from the array, writes dW back, description)
        if shape == (n_in, n_out):
            layouts.append((lambda a: a, lambda g: g, f"{w_name} as (input, output)"))
        if shape == (n_out, n_in) and n_in != n_out:
            layouts.append((lambda a: a.T, lambda g: g.T, f"{w_name} as (output, input)"))
        for W_read, W_write, text in layouts:
            if not rest:
                plans.append(_linear_plan(n_in, n_out, w_name, W_read, W_write, None, text))
            elif len(rest) == 1 and params[rest[0]].size == n_out and params[rest[0]].ndim <= 2:
                plans.append(_linear_plan(n_in, n_out, w_name, W_read, W_write, rest[0],
                                          f"{text}, {rest[0]} as the bias"))
        if shape == (n_in + 1, n_out) and not rest:
            for row, where in ((n_in, "last"), (0, "first")):
                plans.append(_bias_row_plan(n_in, n_out, w_name, row, f"{w_name} with the bias as its "
                                                                     f"{where} row"))
    return plans


def _linear_plan(n_in, n_out, w_name, W_read, W_write, b_name, text):
    config = {"input": n_in, "output": n_out, "bias": b_name is not None}

    def build(p):
        weights = {"W": W_read(p[w_name])}
        if b_name is not None:
            weights["b"] = p[b_name].reshape(-1)
        return _with_weights(Linear, config, weights)

    def to_student(g):
        grads = {w_name: W_write(g["W"])}
        if b_name is not None:
            grads[b_name] = g["b"]  # reshaped to the student's layout by the comparison
        return grads

    return _Plan(build, to_student, f"Linear({_args(config)}), {text}")


def _bias_row_plan(n_in, n_out, w_name, row, text):
    config = {"input": n_in, "output": n_out, "bias": True}
    rows = np.delete(np.arange(n_in + 1), row)

    def build(p):
        return _with_weights(Linear, config, {"W": p[w_name][rows], "b": p[w_name][row]})

    def to_student(g):
        grad = np.empty((n_in + 1, n_out))
        grad[rows], grad[row] = g["W"], g["b"]
        return {w_name: grad}

    return _Plan(build, to_student, f"Linear({_args(config)}), {text}")


def _strides(module, length, k, out_length):
    """Strides that give ``out_length`` windows of size ``k`` on ``length`` inputs."""
    given = _attribute(module, _STRIDE_ATTRIBUTES)
    candidates = [given] if given is not None else range(1, length + 1)
    return [s for s in candidates if s >= 1 and k <= length and (length - k) // s + 1 == out_length]


def _conv1d_plans(module, params, X, Y):
    if X.ndim != 3 or Y.ndim != 3:
        return []
    (_, length, chan_in), (_, out_length, chan_out) = X.shape, Y.shape
    plans = []
    for w_name in params:
        rest = [n for n in params if n != w_name]
        if len(rest) > 1 or (rest and params[rest[0]].size != chan_out):
            continue
        b_name = rest[0] if rest else None
        shape = params[w_name].shape
        layouts = []
        if len(shape) == 3 and shape[1:] == (chan_in, chan_out):
            layouts.append((shape[0], lambda a: a, lambda g: g, f"{w_name} as (k, chan_in, chan_out)"))
        if len(shape) == 3 and shape[:2] == (chan_out, chan_in) and shape[1:] != (chan_in, chan_out):
            layouts.append((shape[2], lambda a: a.transpose(2, 1, 0), lambda g: g.transpose(2, 1, 0),
                            f"{w_name} as (chan_out, chan_in, k)"))
        for k, W_read, W_write, text in layouts:
            for stride in _strides(module, length, k, out_length):
                plans.append(_conv_plan(k, chan_in, chan_out, stride, w_name, W_read, W_write, b_name, text))
    return plans


def _conv_plan(k, chan_in, chan_out, stride, w_name, W_read, W_write, b_name, text):
    config = {"k_size": k, "chan_in": chan_in, "chan_out": chan_out, "stride": stride,
              "bias": b_name is not None}

    def build(p):
        weights = {"W": W_read(p[w_name])}
        if b_name is not None:
            weights["b"] = p[b_name].reshape(-1)
        return _with_weights(Conv1D, config, weights)

    def to_student(g):
        grads = {w_name: W_write(g["W"])}
        if b_name is not None:
            grads[b_name] = g["b"]
        return grads

    return _Plan(build, to_student, f"Conv1D({_args(config)}), {text}")


def _pool_plans(cls):
    def plans(module, params, X, Y):
        if params or X.ndim != 3 or Y.ndim != 3 or X.shape[2] != Y.shape[2]:
            return []
        length, out_length = X.shape[1], Y.shape[1]
        k = _attribute(module, _KERNEL_ATTRIBUTES)
        found = []
        for size in [k] if k is not None else range(1, length + 1):
            for stride in _strides(module, length, size, out_length):
                config = {"k_size": size, "stride": stride}
                found.append(_Plan(lambda p, c=config: cls(**c), lambda g: {},
                                   f"{cls.__name__}({_args(config)})"))
        return found
    return plans


def _leaky_plans(module, params, X, Y):
    alpha = _attribute(module, _SLOPE_ATTRIBUTES, float)
    return _fixed(LeakyReLU, alpha=0.01 if alpha is None else alpha)(module, params, X, Y)


_MODULE_PLANS = {
    "Linear": _linear_plans, "Conv1D": _conv1d_plans, "MaxPool1D": _pool_plans(MaxPool1D),
    "AvgPool1D": _pool_plans(AvgPool1D), "TanH": _fixed(TanH), "Sigmoid": _fixed(Sigmoid),
    "ReLU": _fixed(ReLU), "LeakyReLU": _leaky_plans, "Softmax": _fixed(Softmax),
    "LogSoftmax": _fixed(LogSoftmax), "Identity": _fixed(Identity), "Flatten": _fixed(Flatten),
}


def _closest(plans, run, obtained):
    """The plan whose output is closest to ``obtained`` (plans that raise are left out)."""
    best, best_error = None, np.inf
    for plan in plans:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):  # configurations that do not fit
                warnings.simplefilter("ignore")
                expected = np.asarray(run(plan), np.float64)
        except Exception:
            continue
        if expected.shape != obtained.shape:
            continue
        error = relative_error(obtained, expected)
        if best is None or error < best_error:
            best, best_error = plan, error
    return best


def module_counterpart(module, X) -> Counterpart:
    """The library module ``module`` is compared with, for the input ``X`` (see the module
    docstring). Never raises: a module whose forward fails has no counterpart (the battery reports
    the failure itself)."""
    name = counterpart_name(type(module))
    if name is None:
        return Counterpart(None, "")
    X = np.array(X, dtype=np.float64)
    try:
        student = copy_of(module, np.float64)
        Y = np.asarray(student.forward(X.copy()), np.float64)
        params = {k: np.array(v, np.float64) for k, v in parameters_of(student).items()}
    except Exception:
        return Counterpart(None, f"not compared with flambeau's {name}: its forward raised")
    plans = list(itertools.islice(_MODULE_PLANS[name](student, params, X, Y), 200))
    plan = _closest(plans, lambda p: p.build(params).forward(X.copy()), Y)
    if plan is None:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in params.items()) or "no parameters"
        return Counterpart(None, f"not compared with flambeau's {name}: input {X.shape}, output {Y.shape} "
                                 f"and {shapes} fit none of its configurations")

    def compute(m, X, delta):
        library = plan.build({k: np.array(v, np.float64) for k, v in parameters_of(m).items()})
        out = library.forward(X)
        library.backward_update_gradient(X, delta)
        dX = library.backward_delta(X, delta)
        shapes = {k: np.shape(v) for k, v in parameters_of(m).items()}
        return out, dX, {k: g.reshape(shapes[k]) for k, g in plan.to_student(library.gradients()).items()}

    return Counterpart(Reference("library", compute, f"flambeau {plan.text}"), f"compared with flambeau "
                                                                                f"{plan.text}")


# -- losses ---------------------------------------------------------------------------------------------
_LOSS_PLANS = {
    "MSELoss": [MSELoss], "BCELoss": [BCELoss], "NLLLoss": [NLLLoss],
    "CrossEntropyLoss": [CrossEntropyLoss, lambda: CrossEntropyLoss(from_logits=False)],
}


def loss_counterpart(loss, y, yhat) -> Counterpart:
    """The library loss ``loss`` is compared with on ``(y, yhat)`` (for cross-entropy: on logits
    or on probabilities, whichever is closer to its values)."""
    name = counterpart_name(type(loss))
    if name is None:
        return Counterpart(None, "")
    y, yhat = np.array(y), np.array(yhat, dtype=np.float64)
    try:
        values = np.asarray(copy_of(loss).forward(y.copy(), yhat.copy()), np.float64)
    except Exception:
        return Counterpart(None, f"not compared with flambeau's {name}: its forward raised")
    candidates = [_Plan(make, None, repr(make())) for make in _LOSS_PLANS[name]]
    plan = _closest(candidates, lambda p: p.build().forward(y.copy(), yhat.copy()), values)
    if plan is None:
        return Counterpart(None, f"not compared with flambeau's {name}: it gives losses of shape "
                                 f"{values.shape} or refuses these targets and predictions")

    def compute(_, y, yhat):
        library = plan.build()
        return library.forward(y, yhat), library.backward(y, yhat)

    return Counterpart(Reference("library", compute, f"flambeau {plan.text}"), f"compared with flambeau "
                                                                                f"{plan.text}")
