"""The check battery of a module: every obligation of the course contract, on any module.

``check_module(module, X)`` runs each check on its own float64 copy of ``module`` (the module
given is never changed) and returns a ``CheckReport``: one ``CheckResult`` per check, naming the
method at fault. The same battery checks flambeau's layers (``tests/test_modules.py`` runs it over
``flambeau.testing.MODULE_CASES``) and a module written by anyone else.

The protocol is the course's: ``forward(X)``, then ``backward_update_gradient(X, delta)`` and
``backward_delta(X, delta)`` with that same ``X`` object, where ``delta`` is a fixed random
``dL/dY``; finite differences differentiate ``sum(delta * forward(X))``.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Collection
from pathlib import Path

import numpy as np

from ..gradcheck import pick_entries
from .access import buffers_of, copy_of, gradients_of, has_children, parameters_of, snapshot
from .report import CheckReport, CheckResult
from .verdicts import (
    MAX_ENTRIES,
    REFERENCE_TOLERANCE,
    ROUNDING_TOLERANCE,
    MethodFailure,
    Reference,
    call,
    close,
    fail,
    finite_differences,
    returned_array,
    run_check,
    shown,
    subject,
    unchanged,
    worst,
)

__all__ = ["CHECK_NAMES", "UPDATE_STEP", "check_module", "check_reference"]

UPDATE_STEP = 0.1
"""Learning rate given to ``update_parameters`` by the step check."""


# -- the module under test, driven through the contract ------------------------------------------
class _Driver:
    """A copy of the module; each call names its method when it raises or returns no array."""

    def __init__(self, module, dtype=np.float64):
        self.module = copy_of(module, dtype)

    def forward(self, X) -> np.ndarray:
        return returned_array("forward", call("forward", self.module.forward, X))

    def update(self, X, delta) -> None:
        call("backward_update_gradient", self.module.backward_update_gradient, X, delta)

    def delta(self, X, delta) -> np.ndarray:
        return returned_array("backward_delta", call("backward_delta", self.module.backward_delta, X, delta))

    def zero_grad(self) -> None:
        call("zero_grad", self.module.zero_grad)

    def step(self, eps: float) -> None:
        call("update_parameters", self.module.update_parameters, eps)

    def parameters(self) -> dict:
        return parameters_of(self.module)

    def gradients(self) -> dict:
        return gradients_of(self.module)


class _FixedMix:
    """The fixed linear layer put before the module: per sample, ``Z = X A`` on the flattened
    features with ``A = (I + S) / 2``, ``S`` random with non-negative columns summing to 1. Every
    value changes, but each ``Z`` entry is a convex combination of the sample's inputs, so an input
    domain that is an interval (positive values, probabilities) is kept."""

    def __init__(self, shape: tuple[int, ...], rng: np.random.Generator):
        features = math.prod(shape[1:])
        mixing = rng.dirichlet(np.ones(features), size=features).T
        self.A = (np.eye(features) + mixing) / 2

    def forward(self, X: np.ndarray) -> np.ndarray:
        return (X.reshape(len(X), -1) @ self.A).reshape(X.shape)

    def backward(self, delta: np.ndarray) -> np.ndarray:
        return (delta.reshape(len(delta), -1) @ self.A.T).reshape(delta.shape)


class _Context:
    """The module, its sample input (float64 master copy, never handed out) and seeded draws."""

    def __init__(self, module, X, seed: int, output_shape):
        self.module, self.seed, self.output_shape = module, seed, output_shape
        self.X = np.array(X, dtype=np.float64)
        self.mix = _FixedMix(self.X.shape, np.random.default_rng([seed, 1]))
        self._delta = None

    def driver(self, dtype=np.float64) -> _Driver:
        return _Driver(self.module, dtype)

    def input(self, dtype=np.float64) -> np.ndarray:
        return self.X.astype(dtype)

    def other_input(self) -> np.ndarray:
        return self.mix.forward(self.X)

    def delta(self, dtype=np.float64) -> np.ndarray:
        """A fixed random ``dL/dY`` shaped like the output (the first use runs ``forward``)."""
        if self._delta is None:
            Y = self.driver().forward(self.input())
            self._delta = np.random.default_rng([self.seed, 2]).normal(size=Y.shape)
        return self._delta.astype(dtype)

    def rng(self, purpose: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 3, purpose])

    @property
    def module_dtype(self):
        dtypes = [np.asarray(p).dtype for p in parameters_of(self.module).values()]
        return dtypes[0] if dtypes and dtypes[0].kind == "f" else np.dtype(np.float64)


# -- shared verdicts -------------------------------------------------------------------------------
def _same_shapes(method: str, grads: dict, params: dict) -> None:
    """Fail ``method`` unless there is one gradient per parameter, of its shape."""
    if set(grads) != set(params):
        fail(method, f"gradients {sorted(grads)} do not match parameters {sorted(params)}")
    for name, param in params.items():
        grad = grads[name]
        if grad is None or np.shape(grad) != np.shape(param):
            shape = None if grad is None else np.shape(grad)
            fail(method, f"gradient {name} has shape {shape}, its parameter {np.shape(param)}")


def _objective(weights: np.ndarray, Y: np.ndarray) -> float:
    """``sum(delta * Y)``: the scalar whose finite differences are compared with the gradients."""
    if Y.shape != weights.shape:
        fail("forward", f"forward gave shape {Y.shape}, earlier {weights.shape}, for the same input shape")
    if Y.dtype != np.float64:
        fail("forward", f"forward gave {Y.dtype} for float64 input and parameters: finite "
                         "differences need float64")
    return float(np.sum(weights * Y))


# -- __init__ ---------------------------------------------------------------------------------------
def _repr(ctx: _Context) -> str:
    text = call("__init__", shown, ctx.module)
    if not isinstance(text, str) or type(ctx.module).__name__ not in text:
        fail("__init__", f"repr gives {text!r}, which does not name the class {type(ctx.module).__name__}")
    return text.splitlines()[0] + (" ..." if "\n" in text else "")


def _gradients_allocated(ctx: _Context) -> str:
    params = parameters_of(ctx.module)
    _same_shapes("__init__", gradients_of(ctx.module), params)
    return f"{len(params)} parameter(s), each with a gradient of its shape" if params else "no parameters"


def _deepcopy(ctx: _Context) -> str:
    clone = copy_of(ctx.module)
    if type(clone) is not type(ctx.module) or shown(clone) != shown(ctx.module):
        fail("__init__", f"deepcopy gives {repr(clone)!r}, not {repr(ctx.module)!r}")
    originals = {**parameters_of(ctx.module), **buffers_of(ctx.module)}
    copies = {**parameters_of(clone), **buffers_of(clone)}
    if set(copies) != set(originals):
        fail("__init__", f"deepcopy has arrays {sorted(copies)}, the module {sorted(originals)}")
    for name, array in originals.items():
        close("__init__", f"copy of {name}", copies[name], array, 0.0)
        if np.may_share_memory(copies[name], array):
            fail("__init__", f"deepcopy shares the memory of {name} with the original")
    X = ctx.input(ctx.module_dtype)
    close("__init__", "copy's output", _Driver(clone, None).forward(X.copy()),
          _Driver(ctx.module, None).forward(X.copy()), 0.0)
    return f"independent, equal arrays and outputs ({len(originals)} array(s))"


def _save_load(ctx: _Context) -> str:
    from ..serialization import load

    module = copy_of(ctx.module)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "module.npz"
        call("__init__", module.save, path)
        loaded = call("__init__", load, path)
    if type(loaded) is not type(module) or shown(loaded) != shown(module):
        fail("__init__", f"loading gives {repr(loaded)!r}, not {repr(module)!r}")
    for kind, read in (("parameter", parameters_of), ("buffer", buffers_of)):
        ours, theirs = read(module), read(loaded)
        if set(ours) != set(theirs):
            fail("__init__", f"loaded {kind}s {sorted(theirs)}, saved {sorted(ours)}")
        for name, array in ours.items():
            if theirs[name].dtype != array.dtype:
                fail("__init__", f"loaded {kind} {name} is {theirs[name].dtype}, saved {array.dtype}")
            close("__init__", f"loaded {name}", theirs[name], array, 0.0)
    for each in (module, loaded):
        if callable(getattr(each, "eval", None)):
            each.eval()
    X = ctx.input(ctx.module_dtype)
    close("__init__", "loaded module's output", _Driver(loaded, None).forward(X.copy()),
          _Driver(module, None).forward(X.copy()), 0.0)
    return "same class, repr, parameters, buffers and outputs after load"


# -- forward ----------------------------------------------------------------------------------------
def _output(ctx: _Context) -> str:
    Y = ctx.driver().forward(ctx.input())
    if Y.ndim == 0 or Y.shape[0] != ctx.X.shape[0]:
        fail("forward", f"output has shape {Y.shape}: its first axis must be the batch, "
                         f"{ctx.X.shape[0]} samples")
    if ctx.output_shape is not None and Y.shape != tuple(ctx.output_shape):
        fail("forward", f"output has shape {Y.shape}, expected {tuple(ctx.output_shape)}")
    if not np.all(np.isfinite(Y)):
        fail("forward", f"output holds non-finite values at {tuple(np.argwhere(~np.isfinite(Y))[0])}")
    return f"shape {Y.shape}, finite"


def _deterministic(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    first = m.forward(X).copy()
    close("forward", "second output", m.forward(X), first, 0.0, " (same input, same module)")
    return "two calls give the same output"


def _dtypes(ctx: _Context, method: str) -> str:
    for dtype in (np.float32, np.float64):
        m, X = ctx.driver(dtype), ctx.input(dtype)
        Y = m.forward(X)
        if method == "forward":
            got = {"output": Y.dtype}
        else:
            m.update(X, ctx.delta(dtype))
            if method == "backward_update_gradient":
                got = {f"gradient {k}": np.asarray(g).dtype for k, g in m.gradients().items()}
            else:
                got = {"dL/dX": m.delta(X, ctx.delta(dtype)).dtype}
        for what, obtained in got.items():
            if obtained != dtype:
                fail(method, f"{np.dtype(dtype)} input and parameters gave a {obtained} {what}")
    return "float32 stays float32, float64 stays float64"


def _input_unchanged(ctx: _Context) -> str:
    X = ctx.input()
    ctx.driver().forward(X)
    unchanged("forward", "X", X, ctx.X)
    return "X untouched"


# Below, every call receives its own copy of delta, and finite differences perturb their own copy
# of the input: a module that modifies an argument fails the `arguments_unchanged` checks only.

# -- backward_update_gradient -----------------------------------------------------------------------
def _gradient_shapes(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    m.forward(X)
    m.update(X, ctx.delta())
    _same_shapes("backward_update_gradient", m.gradients(), m.parameters())
    return "one gradient per parameter, of its shape" if m.parameters() else "no parameters"


def _parameter_gradients(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    m.forward(X)
    before = snapshot(m.gradients())
    m.update(X, ctx.delta())
    after = snapshot(m.gradients())
    _same_shapes("backward_update_gradient", after, m.parameters())
    rng, errors, weights = ctx.rng(0), {}, ctx.delta()
    for name, param in m.parameters().items():
        added = after[name] - (0 if before.get(name) is None else before[name])
        entries = pick_entries(param.size, MAX_ENTRIES, rng)
        errors[name] = finite_differences("backward_update_gradient", f"dL/d{name}",
                                          added.reshape(-1)[entries],
                                          lambda: _objective(weights, m.forward(ctx.input())), param, entries,
                                          unused="forward")
    return worst(errors)


def _accumulates(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    m.forward(X)
    g0 = snapshot(m.gradients())
    m.update(X, ctx.delta())
    g1 = snapshot(m.gradients())
    m.update(X, ctx.delta())
    g2 = snapshot(m.gradients())
    _same_shapes("backward_update_gradient", g2, m.parameters())
    errors = {}
    for name in m.parameters():
        first = g1[name] - (0 if g0.get(name) is None else g0[name])
        errors[name] = close("backward_update_gradient", f"second call's dL/d{name}", g2[name] - g1[name],
                             first, ROUNDING_TOLERANCE, " (must add as much as the first call: +=, not =)")
    return f"two calls add twice the gradient, {worst(errors)}" if errors else "no parameters"


def _arguments_unchanged(ctx: _Context, method: str) -> str:
    m, X, delta = ctx.driver(), ctx.input(), ctx.delta()
    m.forward(X)
    X_before = X.copy()
    m.update(X, delta)
    if method == "backward_delta":  # given what backward_update_gradient left, a fresh delta
        X_before, delta = X.copy(), ctx.delta()
        m.delta(X, delta)
    unchanged(method, "input", X, X_before)
    unchanged(method, "delta", delta, ctx.delta())
    return "input and delta untouched"


def _uses_input(ctx: _Context, method: str) -> str:
    """The backward passes use the input they are given, not the one of the last forward."""
    X = ctx.input()
    fresh, reused = ctx.driver(), ctx.driver()
    fresh.forward(X)
    reused.forward(ctx.other_input())
    for m in (fresh, reused):
        m.update(X, ctx.delta())
    if method == "backward_update_gradient":
        expected, obtained = snapshot(fresh.gradients()), snapshot(reused.gradients())
        _same_shapes(method, obtained, reused.parameters())
        errors = {name: close(method, f"dL/d{name}", obtained[name], expected[name], ROUNDING_TOLERANCE,
                              " (after a forward on another input)") for name in expected}
        if not errors:
            return "no parameters"
    else:
        errors = {"dL/dX": close(method, "dL/dX", reused.delta(X, ctx.delta()), fresh.delta(X, ctx.delta()),
                                 ROUNDING_TOLERANCE, " (after a forward on another input)")}
    return f"same result after a forward on another input, {worst(errors)}"


# -- backward_delta ---------------------------------------------------------------------------------
def _backward(ctx: _Context, m: _Driver, X) -> np.ndarray:
    """The container's order: forward, parameter gradient, then input gradient."""
    m.forward(X)
    m.update(X, ctx.delta())
    dX = m.delta(X, ctx.delta())
    if dX.shape != X.shape:
        fail("backward_delta", f"dL/dX has shape {dX.shape}, the input {X.shape}")
    return dX


def _input_gradient(ctx: _Context) -> str:
    m, weights = ctx.driver(), ctx.delta()
    analytic = _backward(ctx, m, ctx.input())
    X = ctx.input()
    entries = pick_entries(X.size, MAX_ENTRIES, ctx.rng(1))
    error = finite_differences("backward_delta", "dL/dX", analytic.reshape(-1)[entries],
                               lambda: _objective(weights, m.forward(X.copy())), X, entries)
    return f"relative error {error:.1e}"


def _behind_linear(ctx: _Context) -> str:
    """The module used once alone, then behind a fixed linear layer (``_FixedMix``): the input
    gradient of the chain against finite differences."""
    m, weights = ctx.driver(), ctx.delta()
    _backward(ctx, m, ctx.input())
    analytic = ctx.mix.backward(_backward(ctx, m, ctx.mix.forward(ctx.X)))
    X = ctx.input()
    entries = pick_entries(X.size, MAX_ENTRIES, ctx.rng(2))
    error = finite_differences("backward_delta", "dL/dX", analytic.reshape(-1)[entries],
                               lambda: _objective(weights, m.forward(ctx.mix.forward(X))), X, entries,
                               what=", the module behind a fixed Linear")
    return f"relative error {error:.1e}"


# -- update_parameters, zero_grad -----------------------------------------------------------------
def _step(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    m.forward(X)
    m.update(X, ctx.delta())
    before, grads = snapshot(m.parameters()), snapshot(m.gradients())
    _same_shapes("update_parameters", grads, before)
    m.step(UPDATE_STEP)
    after = snapshot(m.parameters())
    rule = f" (must be -{UPDATE_STEP} * gradient)"
    errors = {name: close("update_parameters", f"move of {name}", after[name] - value,
                          -UPDATE_STEP * grads[name], ROUNDING_TOLERANCE, rule)
              for name, value in before.items()}
    if not errors:
        return "no parameters"
    return f"each parameter moves by -{UPDATE_STEP} * gradient, {worst(errors)}"


def _zeroes(ctx: _Context) -> str:
    m, X = ctx.driver(), ctx.input()
    m.forward(X)
    m.update(X, ctx.delta())
    m.update(X, ctx.delta())
    m.zero_grad()
    grads = m.gradients()
    _same_shapes("zero_grad", grads, m.parameters())
    for name, grad in grads.items():
        close("zero_grad", f"dL/d{name}", grad, np.zeros_like(grad), 0.0, " after zero_grad")
    return "every gradient back to zeros of its shape" if grads else "no parameters"


# -- agreement with a reference ---------------------------------------------------------------------
def _reference_results(ctx: _Context, reference: Reference) -> list[CheckResult]:
    check = f"agrees_with_{reference.name}"
    try:
        m, X = ctx.driver(), ctx.input()
        Y = m.forward(X)
        m.update(X, ctx.delta())
        grads, dX = snapshot(m.gradients()), m.delta(X, ctx.delta())
    except MethodFailure as failure:
        return [CheckResult(check, failure.method, False, failure.message)]
    try:
        expected = reference.compute(copy_of(ctx.module, np.float64), ctx.input(), ctx.delta())
    except Exception as error:  # the reference cannot run this module: say so on forward
        return [CheckResult(check, "forward", False,
                            f"the {reference.name} reference raised {type(error).__name__}: {error}")]
    expected_Y, expected_dX, expected_grads = expected
    what = reference.what
    parts = [("forward", lambda: close("forward", "Y", Y, expected_Y, REFERENCE_TOLERANCE, what)),
             ("backward_delta", lambda: close("backward_delta", "dL/dX", dX, expected_dX,
                                              REFERENCE_TOLERANCE, what)),
             ("backward_update_gradient", lambda: worst(
                 {name: close("backward_update_gradient", f"dL/d{name}", grads.get(name), grad,
                              REFERENCE_TOLERANCE, what) for name, grad in expected_grads.items()}))]
    results = []
    for method, run in parts:
        try:
            measured = run()
            message = measured if isinstance(measured, str) else f"relative error {measured:.1e}"
            results.append(CheckResult(check, method, True, message + what))
        except MethodFailure as failure:
            results.append(CheckResult(check, failure.method, False, failure.message))
    return results


# -- the battery ------------------------------------------------------------------------------------
_MODULE_CHECKS = (
    ("__init__", "repr", _repr),
    ("__init__", "gradients_allocated", _gradients_allocated),
    ("__init__", "deepcopy", _deepcopy),
    ("__init__", "save_load", _save_load),
    ("forward", "output", _output),
    ("forward", "deterministic", _deterministic),
    ("forward", "dtype", lambda ctx: _dtypes(ctx, "forward")),
    ("forward", "input_unchanged", _input_unchanged),
    ("backward_update_gradient", "gradient_shapes", _gradient_shapes),
    ("backward_update_gradient", "finite_differences", _parameter_gradients),
    ("backward_update_gradient", "accumulates", _accumulates),
    ("backward_update_gradient", "dtype", lambda ctx: _dtypes(ctx, "backward_update_gradient")),
    ("backward_update_gradient", "arguments_unchanged",
     lambda ctx: _arguments_unchanged(ctx, "backward_update_gradient")),
    ("backward_update_gradient", "uses_input", lambda ctx: _uses_input(ctx, "backward_update_gradient")),
    ("backward_delta", "finite_differences", _input_gradient),
    ("backward_delta", "behind_linear", _behind_linear),
    ("backward_delta", "dtype", lambda ctx: _dtypes(ctx, "backward_delta")),
    ("backward_delta", "arguments_unchanged", lambda ctx: _arguments_unchanged(ctx, "backward_delta")),
    ("backward_delta", "uses_input", lambda ctx: _uses_input(ctx, "backward_delta")),
    ("update_parameters", "step", _step),
    ("zero_grad", "zeroes", _zeroes),
)
CHECK_NAMES = tuple(f"{method}.{check}" for method, check, _ in _MODULE_CHECKS)
"""``"method.check"`` of every module check, in the order they run (the values ``skip`` takes)."""


def _skipped(method: str, check: str, module, save, skip: Collection[str]) -> bool:
    if check in skip or f"{method}.{check}" in skip:
        return True
    if check == "save_load":
        return not (save if save is not None else callable(getattr(module, "save", None)))
    return check == "uses_input" and has_children(module)


def check_module(module, X, *, seed: int = 0, reference: Reference | None = None, save: bool | None = None,
                 output_shape=None, skip: Collection[str] = ()) -> CheckReport:
    """Run the battery on ``module`` with the sample input ``X``; never raises for a broken module.

    Args:
        module: any object with the course's methods (``forward``, ``backward_update_gradient``,
            ``backward_delta``, ``update_parameters``, ``zero_grad``); parameters are read with
            ``parameters()`` / ``gradients()``, or from ``_parameters`` / ``_gradient``. It is
            never modified: every check works on its own float64 ``copy.deepcopy``.
        X: a sample input batch, drawn away from kinks (ReLU at 0) and ties (equal values in a
            max-pooling window): finite differences need a differentiable neighbourhood.
        seed: seeds ``delta``, the fixed Linear and the entries checked by finite differences.
        reference: also check agreement with this implementation (see ``Reference``).
        save: run the save/load round trip (default: when the module has a ``save`` method).
        output_shape: the expected forward output shape, if known.
        skip: checks not to run, as ``"check"`` or ``"method.check"`` (see ``CHECK_NAMES``).

    Returns:
        A ``CheckReport``. Checks, each its own result: repr, gradients allocated at construction,
        deepcopy, save/load; forward output (batch axis, finite), determinism, dtype kept, input
        untouched; ``backward_update_gradient`` gradient shapes, finite differences for every
        parameter, accumulation (``+=``), dtype, arguments untouched, use of its ``input``
        argument; ``backward_delta`` finite differences alone and behind a fixed Linear, dtype,
        arguments untouched, use of its ``input``; ``update_parameters`` step of exactly
        ``-eps * grad``; ``zero_grad`` zeros of the right shapes; agreement with ``reference``.
        The ``uses_input`` checks (a backward after a forward on another input) run only on
        modules without sub-modules: a container may require the input of its last forward.
    """
    ctx = _Context(module, X, seed, output_shape)
    results = [run_check(method, check, function, ctx) for method, check, function in _MODULE_CHECKS
               if not _skipped(method, check, module, save, skip)]
    if reference is not None:
        results.extend(_reference_results(ctx, reference))
    return CheckReport(subject(module), tuple(results))


def check_reference(module, X, reference: Reference, *, seed: int = 0) -> CheckReport:
    """Only the agreement of ``module`` with ``reference`` (forward, input and parameter
    gradients), on the same ``delta`` as ``check_module(..., seed=seed)`` draws."""
    results = _reference_results(_Context(module, X, seed, None), reference)
    return CheckReport(subject(module), tuple(results))
