"""Containers: modules made of modules."""

from __future__ import annotations

from collections.abc import Iterable

from .module import Module

__all__ = ["Sequential"]

class Sequential(Module):
    """A chain of modules: ``forward`` runs them in order, ``backward`` in reverse.

    Accepts modules as arguments or as one list: ``Sequential(Linear(2, 3), TanH())`` or
    ``Sequential([Linear(2, 3), TanH()])``. ``forward`` keeps each module's input so that the
    backward pass can hand it back. Parameters are named ``"<index>.<name>"`` (``"0.W"``).

    Backward:
        ``backward(delta)`` accumulates every parameter gradient (last module first) and
        returns ``dL/dX``. ``backward_update_gradient(X, delta)`` does the same but skips the
        input gradient of the first module until ``backward_delta`` asks for it.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        self._modules: list[Module] = []
        for module in modules:
            self.append(module)
        self._inputs: list = []
        self._pending = None  # (delta given, delta reaching module 0) after an update pass

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
        self._inputs = []
        self._pending = None
        for module in self._modules:
            self._inputs.append(X)
            X = module.forward(X)
        return X

    def _ensure_inputs(self, input) -> None:
        if not self._inputs or self._inputs[0] is not input:
            self.forward(input)

    def backward_update_gradient(self, input, delta):
        self._ensure_inputs(input)
        given = delta
        for index in range(len(self._modules) - 1, -1, -1):
            module, module_input = self._modules[index], self._inputs[index]
            module.backward_update_gradient(module_input, delta)
            if index:
                delta = module.backward_delta(module_input, delta)
        self._pending = (given, delta)

    def backward_delta(self, input, delta):
        self._ensure_inputs(input)
        if self._modules and self._pending is not None and self._pending[0] is delta:
            return self._modules[0].backward_delta(self._inputs[0], self._pending[1])
        for index in range(len(self._modules) - 1, -1, -1):
            delta = self._modules[index].backward_delta(self._inputs[index], delta)
        return delta

    def backward(self, delta):
        """Full backward pass after ``forward``: accumulate gradients, return ``dL/dX``."""
        if not self._inputs:
            raise RuntimeError("Sequential.backward: call forward before backward")
        self.backward_update_gradient(self._inputs[0], delta)
        return self.backward_delta(self._inputs[0], delta)

    def __repr__(self) -> str:
        if not self._modules:
            return "Sequential()"
        lines = [f"  ({i}): " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self._modules)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_inputs"], state["_pending"] = [], None
        return state
