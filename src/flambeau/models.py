"""Reference convolutional networks of the course and the reports, as builders.

Each builder returns a fresh ``Sequential``; the expected input layout is in its docstring.
"""

from __future__ import annotations

from .containers import Concat, Sequential
from .layers import Conv1D, Conv2D, Flatten, Linear, MaxPool1D, MaxPool2D, ReLU, Reshape, TanH, Transpose2D
from .random import make_rng

__all__ = ["course_conv1d_net", "course_hv_conv1d_net", "mnist_cnn", "report003_cnn"]


def course_conv1d_net(rng=None, dtype=None) -> Sequential:
    """The course's 1-D CNN for USPS: ``Conv1D(3, 1, 32) -> MaxPool1D(2, 2) -> Flatten() ->
    Linear(4064, 100) -> ReLU() -> Linear(100, 10)``.

    Input ``(batch, 256, 1)`` (a 16x16 digit flattened row by row, one channel); output logits
    ``(batch, 10)``.
    """
    rng = make_rng(rng)
    return Sequential(
        Conv1D(3, 1, 32, rng=rng, dtype=dtype), MaxPool1D(2, 2), Flatten(),
        Linear(4064, 100, rng=rng, dtype=dtype), ReLU(), Linear(100, 10, rng=rng, dtype=dtype))


def course_hv_conv1d_net(side: int = 16, channels: int = 16, rng=None, dtype=None) -> Sequential:
    """The course's "horizontal + vertical" 1-D CNN: two ``Conv1D(3, 1, channels)`` branches, one on
    the image read row by row and one on the transposed image (read column by column), their
    feature maps concatenated on the channels (``Concat``), then the head of ``course_conv1d_net``:
    ``MaxPool1D(2, 2) -> Flatten() -> Linear(2 * channels * 127, 100) -> ReLU() -> Linear(100, 10)``
    (for ``side=16``).

    Input ``(batch, side * side)`` flat images; output logits ``(batch, 10)``.
    """
    rng = make_rng(rng)
    length = side * side
    horizontal = Sequential(Reshape((length, 1)), Conv1D(3, 1, channels, rng=rng, dtype=dtype))
    vertical = Sequential(Reshape((side, side, 1)), Transpose2D(), Reshape((length, 1)),
                          Conv1D(3, 1, channels, rng=rng, dtype=dtype))
    pooled = (length - 2) // 2
    return Sequential(
        Concat(horizontal, vertical), MaxPool1D(2, 2), Flatten(),
        Linear(pooled * 2 * channels, 100, rng=rng, dtype=dtype), ReLU(),
        Linear(100, 10, rng=rng, dtype=dtype))


def mnist_cnn(rng=None, dtype=None) -> Sequential:
    """2-D CNN for MNIST: ``Conv2D(1, 16, 3, pad 1) - ReLU - MaxPool2D(2) - Conv2D(16, 32, 3, pad 1)
    - ReLU - MaxPool2D(2) - Flatten - Linear(1568, 10)``.

    Input ``(batch, 28, 28, 1)`` images; output logits ``(batch, 10)``.
    """
    rng = make_rng(rng)
    return Sequential(
        Conv2D(3, 1, 16, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2D(2),
        Conv2D(3, 16, 32, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2D(2),
        Flatten(), Linear(1568, 10, rng=rng, dtype=dtype))


def report003_cnn(init: str = "normal", rng=None, dtype=None) -> Sequential:
    """Report 003's MNIST CNN (section 3.1): ``Conv2D(1, 16, 3, pad 1) - TanH - MaxPool2D(2) -
    Conv2D(16, 32, 3, pad 1) - TanH - MaxPool2D(2) - Flatten - Linear(1568, 10)``; the report's
    final Softmax is fused into the cross-entropy. ``init`` defaults to the report's weights
    scaled by 0.1 (``randn * 0.1``, section 2.2).

    Input ``(batch, 28, 28, 1)`` images; output logits ``(batch, 10)``.
    """
    rng = make_rng(rng)
    return Sequential(
        Conv2D(3, 1, 16, padding=1, init=init, rng=rng, dtype=dtype), TanH(), MaxPool2D(2),
        Conv2D(3, 16, 32, padding=1, init=init, rng=rng, dtype=dtype), TanH(), MaxPool2D(2),
        Flatten(), Linear(1568, 10, init=init, rng=rng, dtype=dtype))
