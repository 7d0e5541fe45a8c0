"""The gradient check of every ``Module`` and ``Loss`` subclass of the library, as a table.

Classes are found by walking ``__subclasses__()`` after importing the library, so a new layer
appears in the table without being listed anywhere. Classes whose constructor needs arguments
get an example from ``EXAMPLES`` (class name -> builder of ``(module, input shape)``), or a
guess from the constructor's argument names; a class with neither is reported as
"no example", never silently left out.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np

from ..gradcheck import gradcheck
from ..module import Loss, Module

__all__ = ["EXAMPLES", "LIBRARY_MODULES", "find_subclasses", "gradcheck_rows"]

LIBRARY_MODULES = ("flambeau", "flambeau.layers", "flambeau.containers", "flambeau.losses",
                   "flambeau.autoencoder")


def _linear():
    from ..layers import Linear

    return Linear(4, 3, rng=0), (5, 4)


def _tied():
    from ..containers import Sequential
    from ..layers import Linear, TanH, TiedLinear

    enc = Linear(4, 3, rng=0)
    return Sequential(enc, TanH(), TiedLinear(enc, rng=1)), (5, 4)


def _sequential():
    from ..containers import Sequential
    from ..layers import Linear, TanH

    return Sequential(Linear(4, 5, rng=0), TanH(), Linear(5, 2, rng=1)), (6, 4)


def _concat():
    from ..containers import Concat
    from ..layers import Linear

    return Concat(Linear(4, 2, rng=0), Linear(4, 3, rng=1)), (5, 4)


def _autoencoder():
    from ..autoencoder import AutoEncoder

    return AutoEncoder.symmetric(6, 2, steps=2, rng=0), (5, 6)


def _conv1d():
    from ..layers import Conv1D

    return Conv1D(3, 2, 4, stride=2, padding=1, rng=0), (3, 9, 2)


def _conv2d():
    from ..layers import Conv2D

    return Conv2D(3, 2, 3, stride=1, padding=1, rng=0), (2, 5, 6, 2)


def _pool(name, shape):
    def build():
        cls = getattr(importlib.import_module("flambeau.layers"), name)
        return cls(2, 2), shape
    return build


def _reshape():
    from ..layers import Reshape

    return Reshape((3, 4)), (5, 12)


def _transpose2d():
    from ..layers import Transpose2D

    return Transpose2D(), (2, 3, 4, 2)


def _flatten():
    from ..layers import Flatten

    return Flatten(), (3, 4, 5)


def _dropout():
    from ..layers import Dropout

    # a fresh mask at every forward makes finite differences meaningless in training mode:
    # the check runs in evaluation mode (the identity), the mask path is tested in its own tests
    return Dropout(0.5, rng=0).eval(), (5, 4)


EXAMPLES = {
    "Dropout": _dropout,
    "Linear": _linear, "TiedLinear": _tied, "Sequential": _sequential, "Concat": _concat,
    "AutoEncoder": _autoencoder, "Conv1D": _conv1d, "Conv2D": _conv2d,
    "MaxPool1D": _pool("MaxPool1D", (3, 8, 2)), "AvgPool1D": _pool("AvgPool1D", (3, 8, 2)),
    "MaxPool2D": _pool("MaxPool2D", (2, 6, 6, 2)), "AvgPool2D": _pool("AvgPool2D", (2, 6, 6, 2)),
    "Reshape": _reshape, "Transpose2D": _transpose2d, "Flatten": _flatten,
}


def find_subclasses(base) -> list[type]:
    """Every public subclass of ``base`` defined in the library (imports ``LIBRARY_MODULES`` first)."""
    for name in LIBRARY_MODULES:
        importlib.import_module(name)
    seen, stack = {}, list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__name__.startswith("_") or not cls.__module__.startswith("flambeau"):
            continue
        seen.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    return [seen[k] for k in sorted(seen, key=lambda k: k.rsplit(".", 1)[-1])]


_FEATURE_ARGS = {"num_features", "features", "n_features", "dim", "size"}


def _default_example(cls):
    """Build ``cls()`` when every constructor argument has a default (or is a feature count,
    set to 6) and feed it ``(4, 6)``; None when the arguments cannot be guessed."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    required = [p.name for p in params if p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not set(required) <= _FEATURE_ARGS:
        return None
    return cls(**{name: 6 for name in required}), (4, 6)


def _check_module(cls, rng) -> dict:
    from ..losses import MSELoss

    builder = EXAMPLES.get(cls.__name__) or (lambda: _default_example(cls))
    built = builder()
    if built is None:
        return {"status": "no example", "detail": f"add a builder for {cls.__name__} to "
                                                  "flambeau.experiments.gradcheck_table.EXAMPLES"}
    module, shape = built
    module.to(np.float64)
    X = rng.uniform(-1, 1, size=shape)
    out = np.asarray(module.forward(X))
    y = rng.normal(size=out.shape)
    errors = gradcheck(module, MSELoss(), X, y)
    return {"config": repr(module).replace("\n", " "), "input_shape": list(shape), "errors": errors}


def _loss_example(cls, rng):
    """``(loss, X, y)`` fitting the loss's input domain."""
    name = cls.__name__
    if name == "BCELoss":
        return cls(), rng.uniform(0.1, 0.9, (5, 3)), rng.uniform(0, 1, (5, 3))
    if name in ("CrossEntropyLoss", "NLLLoss"):
        return cls(), rng.normal(size=(5, 4)), rng.integers(0, 4, 5)
    built = _default_example(cls)
    if built is None:
        return None
    return built[0], rng.normal(size=(5, 3)), rng.normal(size=(5, 3))


def _check_loss(cls, rng) -> dict:
    from ..layers import Identity

    example = _loss_example(cls, rng)
    if example is None:
        return {"status": "no example", "detail": f"{cls.__name__} needs constructor arguments"}
    loss, X, y = example
    errors = gradcheck(Identity(), loss, X, y)
    return {"config": repr(loss), "input_shape": list(X.shape), "errors": errors}


def gradcheck_rows(tolerance: float = 1e-6, seed: int = 0) -> list[dict]:
    """One record per Module and Loss subclass: worst relative error, pass/fail or why not checked."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind, base, check in (("module", Module, _check_module), ("loss", Loss, _check_loss)):
        for cls in find_subclasses(base):
            record = {"name": cls.__name__, "kind": kind, "path": f"{cls.__module__}.{cls.__qualname__}"}
            try:
                record.update(check(cls, rng))
            except Exception as error:  # a broken layer is a row of the table, not a crash
                record.update({"status": "error", "detail": f"{type(error).__name__}: {error}"})
            if "errors" in record:
                worst = max(record["errors"].values())
                record["max_relative_error"] = worst
                record["status"] = "pass" if worst < tolerance else "FAIL"
            rows.append(record)
    return rows
