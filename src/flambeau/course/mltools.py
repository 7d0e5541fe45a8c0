"""The course's ``mltools`` helpers, with their original signatures and behaviour.

``gen_arti`` (artificial 2-D data), ``make_grid``, ``plot_data`` and ``plot_frontiere``
(decision regions), ``load_usps``, ``get_usps`` and ``show_usps`` (the USPS digits).

Randomness comes from flambeau's default generator: ``flambeau.manual_seed(n)`` makes
``gen_arti`` reproducible (``np.random.seed`` does not). As in the course, the plotting
helpers draw on pyplot's current axes (call ``plt.show()`` or ``plt.savefig`` afterwards);
matplotlib is imported only when one of them is called.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .._checks import check_path
from ..datasets import synthetic
from ..datasets.usps import read_text_lines
from ..dtype import get_default_dtype

__all__ = ["gen_arti", "get_usps", "load_usps", "make_grid", "plot_data", "plot_frontiere", "show_usps"]

_USPS_ROW = 257  # the label, then 16 x 16 grey levels
_DATA_TYPES = {0: "two gaussians", 1: "four gaussians", 2: "checkerboard"}
_COLORS = ("red", "green", "blue", "orange", "black", "cyan")
_MARKERS = (".", "+", "*", "o", "x", "^")


def gen_arti(centerx=1, centery=1, sigma=0.1, nbex=1000, data_type=0, epsilon=0.02):
    """The course's artificial data: ``(data (nbex, 2), y (nbex, 1))``, labels ``+1``/``-1``.

    Args:
        centerx: the gaussians are centred at ``(+-centerx, +-centerx)``.
        centery: accepted for the course's signature; the course's generator does not use it
            (a value different from ``centerx`` draws a warning).
        sigma: variance of each gaussian on each axis (covariance ``sigma * I``).
        nbex: number of samples (split evenly between the classes).
        data_type: 0: two gaussians, +1 at ``(c, c)``, -1 at ``(-c, -c)``; 1: four gaussians
            in the XOR layout (+1 at ``(c, c)`` and ``(-c, -c)``); 2: checkerboard on
            ``[-4, 4]^2``, +1 where ``ceil(x) + ceil(y)`` is odd.
        epsilon: standard deviation of a gaussian noise added to both coordinates.

    The samples are shuffled; data and labels are float32. This is
    ``flambeau.datasets.gen_arti(data_type, nbex, sigma, epsilon, center=centerx)`` drawn
    from the default generator.
    """
    if data_type not in _DATA_TYPES:
        kinds = ", ".join(f"{k} ({name})" for k, name in _DATA_TYPES.items())
        raise ValueError(f"gen_arti: data_type must be one of {kinds}, got {data_type!r}")
    if isinstance(nbex, bool) or not isinstance(nbex, (int, np.integer)) or nbex < 1:
        raise ValueError(f"gen_arti: nbex (number of samples) must be a positive integer, got {nbex!r}")
    if centery != centerx:
        warnings.warn(f"gen_arti: centery={centery!r} is not used: as in the course, every centre "
                      f"lies at +-centerx={centerx!r} on both axes", UserWarning, stacklevel=2)
    return synthetic.gen_arti(data_type, int(nbex), sigma, epsilon, center=centerx, labels="pm1")


def _points(where: str, data) -> np.ndarray:
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[1] != 2 or len(data) == 0:
        raise ValueError(f"{where}: data must have shape (n, 2) with n >= 1, got {data.shape}")
    return data


def make_grid(data=None, xmin=-5, xmax=5, ymin=-5, ymax=5, step=20):
    """A ``step x step`` grid over ``data``'s bounding box (or ``[xmin, xmax) x [ymin, ymax)``).

    Returns:
        ``(grid (step * step, 2), x (step, step), y (step, step))``: ``x`` and ``y`` are the
        ``meshgrid`` coordinates, ``grid`` their points row by row. Coordinates start at the
        minimum and stop one cell short of the maximum, as the course's
        ``np.arange(xmin, xmax, (xmax - xmin) / step)``. The grid has ``data``'s float dtype,
        else the default dtype.
    """
    dtype = get_default_dtype()
    if data is not None:
        data = _points("make_grid", data)
        xmin, xmax = data[:, 0].min(), data[:, 0].max()
        ymin, ymax = data[:, 1].min(), data[:, 1].max()
        dtype = data.dtype if data.dtype.kind == "f" else dtype
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"make_grid: step must be a positive integer, got {step!r}")
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"make_grid: empty box: x in [{xmin:g}, {xmax:g}], y in [{ymin:g}, {ymax:g}] "
                         "(the maximum must exceed the minimum on both axes)")
    x, y = np.meshgrid(np.linspace(xmin, xmax, step, endpoint=False),
                       np.linspace(ymin, ymax, step, endpoint=False))
    x, y = x.astype(dtype), y.astype(dtype)
    return np.c_[x.ravel(), y.ravel()], x, y


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency of flambeau
        raise ImportError("flambeau.course: the plotting helpers need matplotlib "
                          "(pip install matplotlib)") from err
    return plt


def plot_data(data, labels=None):
    """Scatter 2-D points on the current axes, one colour and marker per label (sorted).

    Args:
        data: points ``(n, 2)``.
        labels: ``(n,)`` or ``(n, 1)`` discrete labels; without labels every point is an ``x``.
    """
    plt = _pyplot()
    data = _points("plot_data", data)
    if labels is None:
        plt.scatter(data[:, 0], data[:, 1], marker="x")
        return
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(data):
        raise ValueError(f"plot_data: labels must hold one value per point ({len(data)}), "
                         f"got {len(labels)}")
    for i, label in enumerate(np.unique(labels)):
        chosen = labels == label
        plt.scatter(data[chosen, 0], data[chosen, 1], c=_COLORS[i % len(_COLORS)],
                    marker=_MARKERS[i % len(_MARKERS)])


def plot_frontiere(data, f, step=20):
    """Fill the regions where ``f`` is negative (grey) and positive (blue) over ``data``'s box.

    Args:
        data: points ``(n, 2)`` giving the bounding box (``make_grid(data, step=step)``).
        f: decision function, called once on the grid ``(step * step, 2)``; returns one score
            per point (``(step * step,)`` or ``(step * step, 1)``). Its sign is drawn: a 0/1
            prediction draws class 0 grey, class 1 blue.
        step: grid points per axis.

    Returns:
        The matplotlib ``QuadContourSet``.
    """
    plt = _pyplot()
    grid, x, y = make_grid(data=data, step=step)
    scores = np.asarray(f(grid))
    if scores.size != len(grid):
        raise ValueError(f"plot_frontiere: f must return one score per grid point "
                         f"({len(grid)} points of shape (2,)), got an array of shape {scores.shape}")
    side = np.sign(scores.astype(np.float64)).reshape(x.shape)
    return plt.contourf(x, y, side, colors=("gray", "blue"), levels=[-1, 0, 1])


def _is_header(tokens: list[str]) -> bool:
    """The course's files start with a header line; data rows hold 257 numbers."""
    return len(tokens) != _USPS_ROW or not _is_float(tokens[0])


def _usps_rows(path: Path, dtype) -> np.ndarray:
    lines = [(number, line) for number, line in enumerate(read_text_lines(path), start=1) if line.strip()]
    if lines and _is_header(lines[0][1].split()):
        lines = lines[1:]
    if not lines:
        raise ValueError(f"load_usps: {path} holds no sample")
    for number, line in lines:
        count = len(line.split())
        if count != _USPS_ROW:
            raise ValueError(f"load_usps: {path}, line {number}: expected {_USPS_ROW} values (the "
                             f"label then 256 grey levels), got {count}")
    try:
        rows = np.loadtxt([line for _, line in lines], dtype=dtype, ndmin=2)
    except ValueError as err:
        bad = next(((number, token) for number, line in lines for token in line.split()
                    if not _is_float(token)), None)
        if bad is None:
            raise ValueError(f"load_usps: {path}: {err}") from None
        raise ValueError(f"load_usps: {path}, line {bad[0]}: {bad[1]!r} is not a number") from None
    if not np.isfinite(rows).all():  # "nan", "inf", or 1e39 beyond float32
        row, column = np.argwhere(~np.isfinite(rows))[0]
        number, line = lines[row]
        raise ValueError(f"load_usps: {path}, line {number}: {line.split()[column]!r} is not a finite "
                         f"number in {np.dtype(dtype).name}")
    return rows


def _is_float(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def load_usps(fn):
    """Read a USPS file: the course's ``USPS_train.txt`` / ``USPS_test.txt`` or ``zip.train[.gz]``.

    One sample per line, the digit then its 256 grey levels (a first header line, as in the
    course's files, is skipped; blank lines too). The grey levels are returned as written in
    the file, not rescaled, as the course's ``load_usps`` does.

    Returns:
        ``(datax (n, 256) in the default float dtype, datay (n,) int)``.

    Raises:
        FileNotFoundError: no file at ``fn``.
        ValueError: a line that is not 257 numbers, a truncated or invalid gzip file, bytes that
            are not text (names the file and the line).
    """
    path = check_path("load_usps", "fn", fn)
    if not path.is_file():
        raise FileNotFoundError(f"load_usps: no file {path} (the course's files are USPS_train.txt "
                                "and USPS_test.txt; flambeau.datasets.load_usps() reads its embedded copy)")
    rows = _usps_rows(path, get_default_dtype())
    labels = rows[:, 0]
    if not np.array_equal(labels, np.round(labels)):
        raise ValueError(f"load_usps: {path}: the first value of each line must be an integer label")
    return np.ascontiguousarray(rows[:, 1:]), labels.astype(int)


def get_usps(l, datax, datay):  # noqa: E741 - the course's name
    """The samples of digit ``l`` (an int) or of digits ``l`` (a list), in the order of ``l``.

    Returns:
        ``(datax[chosen], datay[chosen])``.
    """
    datax, datay = np.asarray(datax), np.asarray(datay).reshape(-1)
    if len(datax) != len(datay):
        raise ValueError(f"get_usps: datax and datay must hold as many samples, got {len(datax)} "
                         f"and {len(datay)}")
    digits = [l] if np.ndim(l) == 0 else list(l)
    if not digits:
        raise ValueError("get_usps: l must be a digit or a non-empty list of digits, got []")
    chosen = np.concatenate([np.flatnonzero(datay == digit) for digit in digits])
    return datax[chosen], datay[chosen]


def show_usps(data):
    """Show one digit (``(256,)``, ``(1, 256)`` or ``(16, 16)``) as a 16x16 grey image.

    Returns:
        The matplotlib ``AxesImage``.
    """
    plt = _pyplot()
    data = np.asarray(data)
    if data.size != 256:
        raise ValueError(f"show_usps: data must hold one 16x16 image (256 values), got shape {data.shape}")
    return plt.imshow(data.reshape(16, 16), interpolation="nearest", cmap="gray")
