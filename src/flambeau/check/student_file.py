"""Checking every Module and Loss class of a student's file (``flambeau check student.py``).

``check_file(path, args=..., input_shapes=...)`` imports the file, finds the classes it defines
that derive from a ``Module`` or a ``Loss`` (flambeau's, or the course skeleton's own base classes
of those names), builds each one (constructor arguments given per class name, else the
defaults), draws a sample input of an inferred shape and runs ``flambeau.check.check_module`` /
``check_loss`` on it. The result, a ``FileCheck``, prints as a report and converts to an
autograder's JSON (Gradescope's ``results.json``: a score per check and a total).

What is not checked, and why:

- abstract classes (no ``forward`` of their own or inherited below ``Module`` / ``Loss``) and
  names starting with ``_``: not counted;
- containers (a constructor taking modules: ``*modules``, ``modules``, ``layers``...): not
  counted, they need modules to hold; check one from Python with ``check_module``;
- a class whose constructor cannot run with the arguments given: a failure of ``__init__``
  (the message says which arguments it needs and how to pass them with ``--args``).

Input shapes: ``input_shapes[name]`` when given; otherwise candidates derived from the module's
parameters (a ``(3, 4)`` matrix -> inputs ``(batch, 3)``, a ``(k, chan_in, chan_out)`` kernel ->
``(batch, length, chan_in)``), from its attributes (``input``, ``chan_in``, ``k_size``...), then
``(batch, 4)``, ``(batch, 12, 2)``, ``(batch, 8, 8, 2)``: the first on which ``forward`` runs and
returns one finite row per sample. For a loss, the kinds of targets and predictions (real values,
0/1 labels and probabilities, one-hot rows or labels and logits, probabilities or
log-probabilities), tried in the order its name suggests, the first whose losses are finite.
"""

from __future__ import annotations

import ast
import inspect
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..module import Loss, Module
from ..testing.access import parameters_of
from ..testing.counterparts import counterpart_name
from ..testing.report import CheckReport
from .modules import check_loss, check_module, draw_input

__all__ = ["BATCH", "ClassCheck", "FileCheck", "check_file", "file_classes", "parse_assignments"]

BATCH = 5
"""Samples in the input batches drawn for a class (a size that no default feature size has)."""

_CONTAINER_PARAMETERS = {"modules", "layers", "children", "module", "modules_list", "net", "network",
                         "encoder", "decoder", "branches"}


# -- the command line's NAME=VALUE lists ----------------------------------------------------------------
def parse_assignments(text: str, option: str = "--args") -> dict[str, object]:
    """``'Linear=(3, 4), Conv1D=(3, 1, 4, 2)'`` -> ``{"Linear": (3, 4), "Conv1D": (3, 1, 4, 2)}``.

    The values are Python literals (numbers, strings, tuples, lists, dicts, None, booleans),
    read by ``ast.literal_eval``: nothing in the text is ever executed. A bare literal without a
    name (``'(5, 3)'``) is returned under the key ``"*"`` (every class). Raises ``ValueError``
    naming ``option`` and what is wrong.
    """
    text = text.strip()
    try:
        return {"*": ast.literal_eval(text)}
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    try:
        call = ast.parse(f"_({text})", mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"{option}: cannot read {text!r}: write NAME=VALUE, e.g. \"Linear=(3, 4)\" "
                         f"({error.msg})") from None
    if call.args or any(keyword.arg is None for keyword in call.keywords):
        raise ValueError(f"{option}: cannot read {text!r}: every value needs a class name, e.g. "
                         "\"Linear=(3, 4), Conv1D=(3, 1, 4)\"")
    values = {}
    for keyword in call.keywords:
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValueError(f"{option}: the value of {keyword.arg} in {text!r} is not a Python literal "
                             f"(numbers, tuples, lists, dicts, strings)") from None
    return values


# -- results ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassCheck:
    """One class of the file.

    Attributes:
        name: the class name.
        kind: ``"module"`` or ``"loss"``.
        status: ``"checked"``, ``"skipped"`` (not counted: abstract, container) or ``"error"``
            (could not be built: a failure of ``__init__``).
        message: how it was built and fed (``Linear(3, 4) on inputs (5, 3)``), why it was skipped,
            or the error.
        report: the ``CheckReport`` when checked.
    """

    name: str
    kind: str
    status: str
    message: str
    report: CheckReport | None = None

    @property
    def passed(self) -> bool:
        return self.status == "skipped" or (self.status == "checked" and self.report.passed)

    def tests(self) -> list[dict]:
        """One autograder test per check (an error is one failed test of ``__init__``)."""
        if self.status == "skipped":
            return []
        if self.report is None:
            return [_test(f"{self.name}: __init__", False, self.message)]
        return [_test(f"{self.name}: {r.method}.{r.check}", r.passed, r.message) for r in self.report.results]

    def __str__(self) -> str:
        if self.status == "skipped":
            return f"== {self.name} ({self.kind}): SKIPPED, {self.message}"
        if self.report is None:
            return f"== {self.name} ({self.kind}): FAIL  __init__  {self.message}"
        failed = len(self.report.failures)
        verdict = "all passed" if not failed else f"{failed} failed"
        head = f"== {self.name} ({self.kind}): {self.message}; {len(self.report.results)} checks, {verdict}"
        return f"{head}\n{self.report}"


def _test(name: str, passed: bool, output: str) -> dict:
    return {"name": name, "score": 1 if passed else 0, "max_score": 1,
            "status": "passed" if passed else "failed", "output": output}


@dataclass(frozen=True)
class FileCheck:
    """Every class of one file; ``error`` when the file could not be checked at all."""

    path: str
    classes: tuple[ClassCheck, ...] = ()
    error: str | None = None
    options: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.classes)

    def summary(self) -> str:
        if self.error is not None:
            return f"{Path(self.path).name}: {self.error}"
        counted = [c for c in self.classes if c.status != "skipped"]
        failed = [c.name for c in counted if not c.passed]
        verdict = "all passed" if not failed else f"{len(failed)} failed ({', '.join(failed)})"
        skipped = len(self.classes) - len(counted)
        extra = f", {skipped} skipped" if skipped else ""
        return f"{Path(self.path).name}: {len(counted)} classes checked{extra}, {verdict}"

    def as_json(self) -> dict:
        """Gradescope's ``results.json``: ``score``, ``max_score``, ``output`` and ``tests``, one per
        check, each with ``name``, ``score`` (1 or 0), ``max_score`` (1), ``status`` and ``output``.
        A file that does not import is one failed test."""
        tests = [_test(f"import {Path(self.path).name}", False, self.error)] if self.error else \
            [test for c in self.classes for test in c.tests()]
        score = sum(t["score"] for t in tests)
        return {"score": score, "max_score": len(tests), "output": self.summary(), "tests": tests}

    def __str__(self) -> str:
        return "\n".join([*(str(c) for c in self.classes), self.summary()])


# -- finding the classes -----------------------------------------------------------------------------
def _derives_from(cls: type, base: type, name: str) -> bool:
    return issubclass(cls, base) or any(klass.__name__ == name for klass in cls.__mro__[1:])


def _is_base(klass: type) -> bool:
    return klass.__name__ in ("Module", "Loss", "object") or klass in (Module, Loss)


def _abstract(cls: type, methods) -> bool:
    """Whether ``cls`` lacks one of ``methods`` below the ``Module`` / ``Loss`` base classes."""
    concrete = [klass for klass in cls.__mro__ if not _is_base(klass)]
    return not all(any(method in vars(klass) for klass in concrete) for method in methods)


def file_classes(module) -> list[tuple[type, str]]:
    """``(class, "module" | "loss")`` for every class defined in the imported file ``module``
    that derives from a Module or a Loss, in the order of the file."""
    found, seen = [], set()
    for value in vars(module).values():
        if not isinstance(value, type) or value.__module__ != module.__name__ or _is_base(value):
            continue
        if value.__name__.startswith("_") or value in seen:  # private, or a second name (Sigmoid = Sigmoide)
            continue
        seen.add(value)
        if _derives_from(value, Loss, "Loss"):
            found.append((value, "loss"))
        elif _derives_from(value, Module, "Module"):
            found.append((value, "module"))
    return sorted(found, key=lambda item: _line(item[0]))


def _line(cls: type) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 0


# -- building -----------------------------------------------------------------------------------------
def _container(cls: type) -> bool:
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is p.VAR_POSITIONAL or (p.name in _CONTAINER_PARAMETERS and p.default is p.empty)
               for p in parameters)


def _call_text(name: str, value) -> str:
    if value is None:
        return f"{name}()"
    if isinstance(value, dict):
        return f"{name}({', '.join(f'{k}={v!r}' for k, v in value.items())})"
    values = value if isinstance(value, (tuple, list)) else (value,)
    return f"{name}({', '.join(map(repr, values))})"


def _build(cls: type, value):
    """``cls`` built with ``value`` (None: defaults; a tuple or list: positional; a dict: keywords;
    anything else: the one argument). Raises ``TypeError`` naming the arguments it lacks."""
    args, kwargs = (), {}
    if isinstance(value, dict):
        kwargs = value
    elif isinstance(value, (tuple, list)):
        args = tuple(value)
    elif value is not None:
        args = (value,)
    try:
        inspect.signature(cls).bind(*args, **kwargs)
    except ValueError:  # no signature to read: let the call say what is wrong
        pass
    except TypeError as error:
        parameters = [p for p in inspect.signature(cls).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        signature = ", ".join(p.name for p in parameters)
        example = ", ".join(str(3 + i) for i, p in enumerate(parameters) if p.default is p.empty) or "..."
        raise TypeError(f"{_call_text(cls.__name__, value)} does not fit {cls.__name__}({signature}): "
                        f"{error}; "
                        f"pass the arguments with --args \"{cls.__name__}=({example})\"") from None
    return cls(*args, **kwargs)


# -- inputs -------------------------------------------------------------------------------------------
def _int_attribute(module, names):
    for name in names:
        for attr in (name, f"_{name}"):
            value = getattr(module, attr, None)
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0:
                return int(value)
    return None


def _input_candidates(module) -> list[tuple[int, ...]]:
    """Input shapes to try, the likeliest first (see the module docstring)."""
    shapes = []
    try:
        params = list(parameters_of(module).values())
    except Exception:
        params = []
    for p in params:
        shape = np.shape(p)
        if len(shape) == 2:
            shapes += [(BATCH, shape[0]), (BATCH, shape[1]), (BATCH, shape[0] - 1)]
        elif len(shape) == 3:  # (k, chan_in, chan_out), or PyTorch's (chan_out, chan_in, k)
            shapes += [(BATCH, 4 * shape[0] + 3, shape[1]), (BATCH, 4 * shape[2] + 3, shape[1])]
        elif len(shape) == 4:
            shapes += [(BATCH, 4 * shape[0] + 3, 4 * shape[1] + 3, shape[2])]
    features = _int_attribute(module, ("input", "n_in", "in_features", "input_size", "d_in", "dim_in",
                                       "inputs", "input_dim"))
    if features is not None:
        shapes.append((BATCH, features))
    channels = _int_attribute(module, ("chan_in", "in_channels", "c_in", "channels_in"))
    kernel = _int_attribute(module, ("k_size", "kernel_size", "k", "kernel", "pool_size"))
    stride = _int_attribute(module, ("stride", "s", "step")) or 1
    if channels is not None or kernel is not None:
        shapes.append((BATCH, 3 * (kernel or 3) + 2 * stride + 1, channels or 2))
    shapes += [(BATCH, 4), (BATCH, 12, 2), (BATCH, 8, 8, 2)]
    unique = []
    for shape in shapes:
        if all(n > 0 for n in shape) and shape not in unique:
            unique.append(shape)
    return unique


def _forward_works(module, X) -> bool:
    import copy

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            Y = copy.deepcopy(module).forward(X.copy())
    except Exception:
        return False
    return isinstance(Y, np.ndarray) and Y.ndim >= 1 and Y.shape[0] == len(X) and bool(np.all(np.isfinite(Y)))


def _module_input(module, given, seed: int):
    if given is not None:
        shape = tuple(given)
        return draw_input(shape, seed), f"on inputs {shape}"
    candidates = _input_candidates(module)
    for shape in candidates:
        X = draw_input(shape, seed)
        if _forward_works(module, X):
            return X, f"on inputs {shape} (inferred; --input-shape to choose)"
    shape = candidates[0]
    return draw_input(shape, seed), (f"on inputs {shape}: forward failed on every shape tried "
                                     f"({', '.join(map(str, candidates))}); --input-shape to choose")


_LOSS_DATA = {"MSELoss": [("real", "real")], "BCELoss": [("binary", "unit"), ("soft", "unit")],
              "CrossEntropyLoss": [("onehot", "logits"), ("labels", "logits"), ("onehot", "probabilities"),
                                   ("labels", "probabilities")],
              "NLLLoss": [("onehot", "log_probabilities"), ("labels", "log_probabilities")]}


_KINDS = {"real": "real", "binary": "0/1", "soft": "[0, 1]", "labels": "label", "onehot": "one-hot",
          "unit": "probabilities", "logits": "logits", "probabilities": "probability rows",
          "log_probabilities": "log-probability rows"}


def _loss_data(kinds: tuple[str, str], shape, seed: int):
    rng = np.random.default_rng([seed, 12])
    batch, classes = shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1
    labels = rng.integers(0, classes, batch)
    logits = rng.normal(size=(batch, classes))
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    targets = {"real": lambda: rng.normal(size=shape),
               "binary": lambda: rng.integers(0, 2, shape).astype(float),
               "soft": lambda: rng.uniform(0, 1, shape), "labels": lambda: labels,
               "onehot": lambda: np.eye(classes)[labels]}
    predictions = {"real": lambda: rng.normal(size=shape), "unit": lambda: rng.uniform(0.05, 0.95, shape),
                   "logits": lambda: logits, "probabilities": lambda: probabilities,
                   "log_probabilities": lambda: np.log(probabilities)}
    return targets[kinds[0]](), predictions[kinds[1]]()


def _loss_inputs(loss, given, seed: int):
    import copy

    shape = tuple(given) if given is not None else (BATCH, 4)
    order = _LOSS_DATA.get(counterpart_name(type(loss)) or "", [])
    for kinds in order + [k for each in _LOSS_DATA.values() for k in each if k not in order]:
        y, yhat = _loss_data(kinds, shape, seed)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                values = np.asarray(copy.deepcopy(loss).forward(y.copy(), yhat.copy()), np.float64)
        except Exception:
            continue
        if np.all(np.isfinite(values)):
            return y, yhat, f"on {_KINDS[kinds[0]]} targets and {_KINDS[kinds[1]]} {shape}"
    y, yhat = _loss_data(("real", "real"), shape, seed)
    return y, yhat, f"on real targets and predictions {shape}: forward failed on every kind of data tried " \
                    "(--input-shape to choose the shape)"


# -- checking ------------------------------------------------------------------------------------------
def _check_class(cls: type, kind: str, value, given_shape, seed: int, strict: bool) -> ClassCheck:

    name = cls.__name__
    methods = ("forward", "backward") if kind == "loss" else ("forward", "backward_delta")
    if value is None and kind == "module" and _container(cls):
        return ClassCheck(name, kind, "skipped", "a container (its constructor takes modules): check it from "
                                                 f"Python, check_module({name}(Linear(3, 4), TanH()), X)")
    if _abstract(cls, methods):
        return ClassCheck(name, kind, "skipped", f"abstract (no {' or '.join(methods)} of its own)")
    try:
        instance = _build(cls, value)
    except Exception as error:
        message = str(error) if isinstance(error, TypeError) and "--args" in str(error) else \
            f"{_call_text(name, value)} raised {type(error).__name__}: {error}"
        return ClassCheck(name, kind, "error", message)
    built = _call_text(name, value)
    if kind == "loss":
        y, yhat, fed = _loss_inputs(instance, given_shape, seed)
        return ClassCheck(name, kind, "checked", f"{built} {fed}",
                          check_loss(instance, y, yhat, seed=seed, strict=strict))
    X, fed = _module_input(instance, given_shape, seed)
    return ClassCheck(name, kind, "checked", f"{built} {fed}",
                      check_module(instance, X, seed=seed, strict=strict))


def _import_error(error: ImportError, path: Path) -> str:
    cause = error.__cause__ or error
    line = ""
    for frame in traceback.extract_tb(cause.__traceback__):
        if Path(frame.filename).resolve() == path:
            line = f", line {frame.lineno}"
    if isinstance(cause, SyntaxError) and cause.lineno:
        line = f", line {cause.lineno}"
    return f"{path.name} does not import{line}: {type(cause).__name__}: {cause}"


def check_file(path, *, args: dict | None = None, input_shapes: dict | None = None, seed: int = 0,
               strict: bool = False) -> FileCheck:
    """Check every Module and Loss class defined in the Python file ``path``.

    Args:
        args: class name -> constructor arguments (a tuple: positional, a dict: keywords, another
            value: the one argument); the classes not named are built with their defaults.
        input_shapes: class name -> input shape with the batch axis (for a loss: the predictions'
            shape); the key ``"*"`` applies to every class not named.
        seed: seeds the weights' copies' inputs, ``delta`` and the entries checked.
        strict: also check the library's own obligations (see ``flambeau.check``).

    A file that raises while it is imported is not an exception: the ``FileCheck`` says why.

    Raises:
        FileNotFoundError: no such file.
        ValueError: ``args`` or ``input_shapes`` names a class that the file does not define.
    """
    from ..user_code import import_file

    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    args, input_shapes = dict(args or {}), dict(input_shapes or {})
    if "*" in args:
        raise ValueError(f"--args {args['*']!r}: name the class, e.g. --args \"Linear=(3, 4)\"")
    options = {"args": args, "input_shapes": input_shapes, "seed": seed, "strict": strict}
    try:
        module = import_file(path, reload=True)  # the file may have changed since a previous check
    except ImportError as error:
        return FileCheck(str(path), error=_import_error(error, path), options=options)
    classes = file_classes(module)
    names = {cls.__name__ for cls, _ in classes}
    for option, given in (("--args", args), ("--input-shape", input_shapes)):
        unknown = sorted(set(given) - names - {"*"})
        if unknown:
            raise ValueError(f"{option} names {', '.join(unknown)}, which {path.name} does not define "
                             f"(its Module and Loss classes: {', '.join(sorted(names)) or 'none'})")
    if not classes:
        return FileCheck(str(path), error="defines no class deriving from Module or Loss", options=options)
    checks = tuple(_check_class(cls, kind, args.get(cls.__name__),
                                input_shapes.get(cls.__name__, input_shapes.get("*")), seed, strict)
                   for cls, kind in classes)
    return FileCheck(str(path), checks, options=options)
