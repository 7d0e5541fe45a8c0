"""``Module.summary``: a Keras-like table of a network's layers, output shapes and parameter counts.

The shapes come from a dry forward pass on zeros through a deep copy of the network in eval
mode, so the network itself keeps its training flag, caches, BatchNorm running statistics and
random generators untouched. Parameters are counted as PyTorch's ``sum(p.numel())``: each array
of ``parameters()`` once (a ``TiedLinear`` owns only its bias; its weight is its twin's).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ._checks import ShapeError, describe

__all__ = ["summary_table"]


@dataclass
class _Row:
    depth: int
    path: str
    module: object
    shape: str = "(not run)"


def summary_table(net, input_shape) -> str:
    """The summary of ``net`` for inputs of shape ``(batch, *input_shape)``, as text.

    One row per sub-module, depth first, indented by depth: its path (``"1.0"``, ``"encoder.2"``)
    and class, its output shape, its parameters (a container's row: everything under it); then
    the totals (``num_parameters()``, all trainable) and the buffers (running statistics, saved but
    not trained), when there are any.
    """
    where = f"{type(net).__name__}.summary"
    shape = _checked_shape(where, input_shape)
    dry = copy.deepcopy(net).eval()  # the copy gets fresh caches; the network is left as it was
    rows = _rows(dry)
    for row in rows:
        _record_output_shape(row)
    X = np.zeros((2, *shape), dtype=dry.dtype or np.float32)
    try:
        dry.forward(X)
    except (ValueError, TypeError, RuntimeError) as error:
        raise ShapeError(f"{where}: the dry forward pass on inputs {describe((None, *shape))} (input_shape "
                         f"excludes the batch axis) failed: {error}") from error
    return _render(net, rows, shape, X.dtype)


def _checked_shape(where: str, input_shape) -> tuple[int, ...]:
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    try:
        shape = tuple(shape)
    except TypeError:
        shape = None
    if not shape or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0
                            for d in shape):
        raise ShapeError(f"{where}: input_shape must be a tuple of positive ints, the shape of one sample "
                         f"without the batch axis (e.g. (784,) or (28, 28, 1)), got {input_shape!r}")
    return tuple(int(d) for d in shape)


def _rows(net) -> list[_Row]:
    """The sub-modules of ``net``, depth first; ``net`` itself when it has none."""
    rows: list[_Row] = []

    def visit(module, depth: int, prefix: str) -> None:
        for name, child in module.named_children():
            path = f"{prefix}.{name}" if prefix else name
            rows.append(_Row(depth, path, child))
            visit(child, depth + 1, path)

    visit(net, 0, "")
    return rows or [_Row(0, "", net)]


def _record_output_shape(row: _Row) -> None:
    """Shadow ``row.module.forward`` (on the copy only) by a wrapper that notes its output shape."""
    forward = row.module.forward

    def recording_forward(X):
        Y = forward(X)
        row.shape = describe((None, *np.shape(Y)[1:]))
        return Y

    row.module.forward = recording_forward


def _render(net, rows: list[_Row], shape: tuple, dtype) -> str:
    paths = {id(row.module): row.path for row in rows}
    names = [_layer_name(row, paths) for row in rows]
    counts = [f"{row.module.num_parameters():,}" for row in rows]
    shapes = [row.shape for row in rows]
    widths = [max(len(h), *map(len, col)) for h, col in
              zip(("Layer (type)", "Output shape", "Param #"), (names, shapes, counts), strict=True)]
    rule, double = "-" * (sum(widths) + 4), "=" * (sum(widths) + 4)
    total = net.num_parameters()
    buffers = int(sum(b.size for b in net.buffers().values()))
    lines = [f"{type(net).__name__} on inputs {describe((None, *shape))} {np.dtype(dtype)}", double,
             _cells(("Layer (type)", "Output shape", "Param #"), widths), double,
             *(_cells(cells, widths) for cells in zip(names, shapes, counts, strict=True)), rule,
             f"Total parameters: {total:,}", f"Trainable parameters: {total:,}"]
    if buffers:
        lines.append(f"Buffers (running statistics, not trained): {buffers:,}")
    return "\n".join(lines)


def _cells(cells, widths) -> str:
    """One line of the table: name and shape left-aligned, the count right-aligned."""
    name, shape, count = cells
    return f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {count:>{widths[2]}}"


def _layer_name(row: _Row, paths: dict) -> str:
    """``"  1.0 (Conv1D)"``; a layer reading another's weight says whose."""
    kind = type(row.module).__name__
    twin = getattr(row.module, "twin", None)
    if twin is not None and id(twin) in paths:
        kind += f", weight of {paths[id(twin)]}"
    label = f"{row.path} ({kind})" if row.path else kind
    return "  " * row.depth + label
