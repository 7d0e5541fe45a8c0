"""Containers: modules made of modules."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._checks import ShapeError, as_float
from .module import Module, Remembered

__all__ = ["Concat", "Sequential"]


class Sequential(Module):
    """A chain of modules: ``forward`` runs them in order, ``backward`` in reverse.

    Accepts modules as arguments or as one list: ``Sequential(Linear(2, 3), TanH())`` or
    ``Sequential([Linear(2, 3), TanH()])``. ``forward`` keeps each module's input so that the
    backward pass can hand it back. Parameters are named ``"<index>.<name>"`` (``"0.W"``).

    Backward:
        ``backward(delta)`` accumulates every parameter gradient (last module first) and
        returns ``dL/dX``. ``backward_update_gradient(X, delta)`` does the same but skips the
        input gradient of the first module until ``backward_delta`` asks for it.
        Both take the ``X`` of the last ``forward`` (that object, or an array equal to it): a
        backward pass before any forward, or on another input, is a ``RuntimeError`` (running
        ``forward`` again would draw new Dropout masks and move BatchNorm statistics twice).
    """

    # what forward saw (its input -> each module's input), and the delta that an update pass sent
    # to module 0 (for the delta it was given), which backward_delta then needs not compute again
    _transient = {"_forward_inputs": Remembered(), "_first_delta": Remembered()}

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        self._modules: list[Module] = []
        for module in modules:
            self.append(module)

    # -- building --------------------------------------------------------------------------
    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: expected a Module, got {type(module).__name__}")
        self._modules.append(module)
        return self

    def add_module(self, module: Module) -> Sequential:
        """Course name for ``append``."""
        return self.append(module)

    def extend(self, modules: Iterable[Module]) -> Sequential:
        for module in modules:
            self.append(module)
        return self

    def named_children(self) -> list[tuple[str, Module]]:
        return [(str(i), module) for i, module in enumerate(self._modules)]

    def children(self) -> list[Module]:
        return list(self._modules)  # without naming them: zero_grad and dtype walk it every step

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(self._modules[index])
        return self._modules[index]

    def __iter__(self):
        return iter(self._modules)

    # -- passes ----------------------------------------------------------------------------
    def forward(self, X):
        self._forward_inputs.forget()
        self._first_delta.forget()
        given, inputs = X, []
        X = as_float(X, "Sequential.forward", "X", int_dtype=None)
        for module in self._modules:
            inputs.append(X)
            X = module.forward(X)
        self._forward_inputs.remember(given, inputs)
        return X

    def backward_update_gradient(self, input, delta):
        inputs = self._forward_inputs.require(input, "Sequential.backward_update_gradient")
        given = delta
        for index in range(len(self._modules) - 1, -1, -1):
            module, module_input = self._modules[index], inputs[index]
            module.backward_update_gradient(module_input, delta)
            if index:
                delta = module.backward_delta(module_input, delta)
        self._first_delta.remember(given, delta)

    def backward_delta(self, input, delta):
        inputs = self._forward_inputs.require(input, "Sequential.backward_delta")
        first_delta = self._first_delta.recall(delta)
        if self._modules and first_delta is not None:
            return self._modules[0].backward_delta(inputs[0], first_delta)
        for index in range(len(self._modules) - 1, -1, -1):
            delta = self._modules[index].backward_delta(inputs[index], delta)
        return delta

    def backward(self, delta):
        """Full backward pass after ``forward``: accumulate gradients, return ``dL/dX``."""
        if self._forward_inputs.empty:
            raise RuntimeError("Sequential.backward: call forward before backward")
        X = self._forward_inputs.key
        self.backward_update_gradient(X, delta)
        return self.backward_delta(X, delta)

    # -- configuration, saving, training -----------------------------------------------------
    def get_config(self) -> dict:
        """``{"modules": [child, ...]}``: the children, encoded as nested specs when saved."""
        return {"modules": list(self._modules)}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        return cls(*config["modules"])

    def fit(self, X, Y, loss, **options):
        """Train with ``flambeau.SGD(self, loss, X, Y, **options)``; returns its ``History``."""
        from .training import SGD

        return SGD(self, loss, X, Y, **options)

    def __repr__(self) -> str:
        if not self._modules:
            return "Sequential()"
        lines = [f"  ({i}): " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self._modules)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


class Concat(Module):
    """Parallel branches on the same input, their outputs concatenated (Lua Torch's ``Concat``).

    ``Concat(branch_1, ..., branch_k, axis=-1)`` runs every branch on ``X`` and joins the outputs
    along ``axis`` (the channels by default); the outputs must agree on every other axis.
    Parameters are named ``"<branch index>.<name>"``.

    Shape:
        X ``(batch, ...)`` -> Y: the branch outputs ``Y_i`` concatenated along ``axis``.

    Backward:
        ``delta`` is split along ``axis`` into the parts ``delta_i`` matching each ``Y_i``;
        branch ``i`` accumulates its gradients from ``delta_i`` and
        ``dL/dX = sum_i dL_i/dX`` (the input feeds every branch). As in ``Sequential``, both
        backward methods take the ``X`` of the last ``forward``, or raise a ``RuntimeError``.

    Example:
        >>> Concat(Conv1D(3, 1, 16), Sequential(Reshape((16, 16, 1)), Transpose2D(),
        ...        Reshape((256, 1)), Conv1D(3, 1, 16)))  # horizontal + vertical patterns
    """

    # what forward saw (its input -> the branch output sizes on axis), and delta's split into parts
    _transient = {"_forward_sizes": Remembered(), "_delta_parts": Remembered()}

    def __init__(self, *branches, axis: int = -1):
        super().__init__()
        if len(branches) == 1 and isinstance(branches[0], (list, tuple)):
            branches = tuple(branches[0])
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Concat: axis must be an int, got {axis!r}")
        self.axis = int(axis)
        self._branches: list[Module] = []
        for branch in branches:
            self.append(branch)

    def append(self, branch: Module) -> Concat:
        if not isinstance(branch, Module):
            raise TypeError(f"Concat: expected a Module, got {type(branch).__name__}")
        self._branches.append(branch)
        return self

    def named_children(self) -> list[tuple[str, Module]]:
        return [(str(i), branch) for i, branch in enumerate(self._branches)]

    def __len__(self) -> int:
        return len(self._branches)

    def __getitem__(self, index):
        return self._branches[index]

    # -- passes ----------------------------------------------------------------------------
    def forward(self, X):
        if not self._branches:
            raise RuntimeError("Concat.forward: no branch to run; give modules to Concat(...)")
        self._forward_sizes.forget()
        self._delta_parts.forget()
        X = as_float(X, "Concat.forward", "X", int_dtype=None)
        outputs = [branch.forward(X) for branch in self._branches]
        axis = self._check_outputs(outputs)
        self._forward_sizes.remember(X, [out.shape[axis] for out in outputs])
        return np.concatenate(outputs, axis=axis)

    def _check_outputs(self, outputs) -> int:
        ndim = outputs[0].ndim
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"Concat.forward: axis {self.axis} is not a non-batch axis of the branch "
                             f"outputs, which have {ndim} axes")
        axis = self.axis % ndim
        rest = [out.shape[:axis] + out.shape[axis + 1:] for out in outputs]
        if any(out.ndim != ndim for out in outputs) or len(set(rest)) > 1:
            shapes = ", ".join(str(tuple(out.shape)) for out in outputs)
            raise ShapeError(f"Concat.forward: branch outputs must have the same shape except on "
                             f"axis {self.axis}, got {shapes}")
        return axis

    def _parts(self, input, delta, method: str) -> list:
        """``delta`` split along ``axis`` into the branches' parts (kept for that same delta)."""
        sizes = self._forward_sizes.require(input, f"Concat.{method}")
        parts = self._delta_parts.recall(delta)
        if parts is not None:
            return parts
        delta = as_float(delta, f"Concat.{method}", "delta")
        axis = self.axis % max(delta.ndim, 1)
        if delta.ndim < 2 or delta.shape[axis] != sum(sizes):
            raise ShapeError(f"Concat.{method}: delta must have {sum(sizes)} entries on axis "
                             f"{self.axis} (the branch outputs concatenated), got {tuple(delta.shape)}")
        return self._delta_parts.remember(delta, np.split(delta, np.cumsum(sizes)[:-1], axis=axis))

    def backward_update_gradient(self, input, delta):
        parts = self._parts(input, delta, "backward_update_gradient")
        X = self._forward_sizes.key  # the very object the branches' forward saw
        for branch, part in zip(self._branches, parts, strict=True):
            branch.backward_update_gradient(X, part)

    def backward_delta(self, input, delta):
        parts = self._parts(input, delta, "backward_delta")
        X = self._forward_sizes.key
        grads = [branch.backward_delta(X, part) for branch, part in zip(self._branches, parts,
                                                                         strict=True)]
        total = grads[0].copy()
        for grad in grads[1:]:
            total += grad
        return total

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict:
        """``{"branches": [...], "axis": axis}``; branches are encoded as nested specs when saved."""
        return {"branches": list(self._branches), "axis": self.axis}

    @classmethod
    def from_config(cls, config: dict) -> Concat:
        return cls(*config["branches"], axis=config.get("axis", -1))

    def __repr__(self) -> str:
        lines = [f"  ({i}): " + repr(b).replace("\n", "\n  ") for i, b in enumerate(self._branches)]
        return f"Concat(axis={self.axis}" + "".join("\n" + line for line in lines) + ("\n)" if lines else ")")
