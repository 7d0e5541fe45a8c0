"""Property-based fuzzing (Hypothesis) of every module and loss of the module database, of the
data loaders and of ``flambeau.load``.

Each call gets generated shapes, dtypes, array-likes and hostile values, and must give either a
correct result or one of the library's own errors: raised by flambeau's code (never a NumPy or
Python error from deeper down), its message starting with the entry point (``Linear.forward:``,
``load: <file>``). Finite inputs in a module's domain never give a silent NaN; a file never costs
more memory than it holds (traced with ``tracemalloc``, which NumPy reports its arrays to).

``make test`` runs the ``ci`` profile (few examples, derandomized: the same ones every run);
``make fuzz`` the ``fuzz`` profile (many more, random, failures kept in ``.hypothesis/``). The
profiles are registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import flambeau as fb
from flambeau.course import mltools
from flambeau.datasets import idx as idx_format
from flambeau.datasets import read_usps_text
from flambeau.module import MODULES
from flambeau.testing import LOSS_CASES, MODULE_CASES, uncovered_classes
from tests.helpers import case_ids, one_case_per_class

PACKAGE = Path(fb.__file__).resolve().parent
ENTRY = re.compile(r"^[A-Za-z_][\w.]*: ")
MiB = 1 << 20
# NumPy and Python errors that flambeau never lets reach a user: none may escape, whatever the input
INTERNAL = (AttributeError, IndexError, KeyError, ZeroDivisionError, RecursionError, OverflowError,
            UnicodeError, AssertionError, NotImplementedError, np.exceptions.AxisError)
pytestmark = pytest.mark.filterwarnings("ignore")  # overflow warnings etc. are not what is checked


def assert_library_error(error: BaseException, entry: str | None = None) -> None:
    """``error`` is one of the library's own: a ValueError/TypeError/RuntimeError family error
    raised by flambeau's code, naming the entry point first."""
    assert isinstance(error, (ValueError, TypeError, RuntimeError, FileNotFoundError)), repr(error)
    assert not isinstance(error, INTERNAL), repr(error)
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    origin = Path(frame.tb_frame.f_code.co_filename).resolve()
    assert PACKAGE in origin.parents, f"raised in {origin}, not by flambeau: {error!r}"
    text = str(error)
    assert ENTRY.match(text), f"no entry point named first: {text!r}"
    if entry is not None:
        assert text.startswith(entry), f"expected {entry!r} first: {text!r}"


def _call(function, *args, entry=None):
    """``(result, None)``, or ``(None, error)`` after checking it is one of the library's."""
    try:
        return function(*args), None
    except Exception as error:  # noqa: BLE001 - every exception is examined
        assert_library_error(error, entry)
        return None, error


# -- strategies ---------------------------------------------------------------------------------------
def numbers(dtype, bound: float):
    """Elements of ``dtype``: finite floats in [-bound, bound], ints in their range (or bound)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return st.floats(-bound, bound, width=min(dtype.itemsize * 8, 64), allow_subnormal=True)
    if dtype.kind == "b":
        return st.booleans()
    info = np.iinfo(dtype)
    return st.integers(max(info.min, -int(bound)), min(info.max, int(bound)))


INPUT_DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_])


@st.composite
def batches(draw, sample_shape, bound=1e4, min_batch=0):
    """A batch ``(n, *sample_shape)`` of a drawn numeric dtype, sometimes as nested lists."""
    dtype = draw(INPUT_DTYPES)
    shape = (draw(st.integers(min_batch, 4)), *sample_shape)
    X = draw(hnp.arrays(dtype, shape, elements=numbers(dtype, bound)))
    return X.tolist() if draw(st.integers(0, 4)) == 0 else X


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**80, 2**80), st.floats(),
                    st.complex_numbers(max_magnitude=10), st.text(max_size=3), st.binary(max_size=3))
NESTED = st.recursive(st.one_of(st.floats(), st.integers(-2**70, 2**70), st.text(max_size=2), st.none()),
                      lambda children: st.lists(children, max_size=4), max_leaves=24)
ANY_ARRAY = hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))


@st.composite
def hostile(draw, like_shape):
    """What a careless user or an attacker passes where an array of ``like_shape`` is expected:
    None, text, scalars, dicts, ragged and mixed nested lists, arrays of any dtype (text, dates,
    complex, objects) and shape, and arrays of the right shape holding NaN, inf or huge values."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(SCALARS)
    if kind == 1:
        return draw(NESTED)
    if kind == 2:
        return draw(ANY_ARRAY)
    if kind == 3:
        return draw(st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
    shape = tuple(like_shape) if kind == 4 else draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=5))
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(allow_nan=True, allow_infinity=True)))


# -- modules -------------------------------------------------------------------------------------------
def _module(case, float32: bool):
    module = case.instantiate(0)
    return module.to(np.float32) if float32 else module


@pytest.mark.parametrize("case", MODULE_CASES, ids=case_ids(MODULE_CASES))
@given(data=st.data())
def test_modules_give_finite_results_of_the_right_shapes_on_generated_batches(case, data):
    module = _module(case, data.draw(st.booleans(), "float32 module"))
    X = data.draw(batches(case.input_shape[1:]), "X")
    Y, error = _call(module.forward, X)
    if error is not None:  # e.g. BatchNorm1D training on one sample
        note(f"refused: {error}")
        return
    n = len(X)
    assert isinstance(Y, np.ndarray) and Y.dtype.kind in "fiub" and Y.shape[0] == n  # shape-only: dtype kept
    assert np.isfinite(Y).all(), "a NaN or inf from finite inputs"
    delta = data.draw(hnp.arrays(np.float64, Y.shape, elements=numbers(np.float64, 1e4)), "delta")
    module.zero_grad()
    module.backward_update_gradient(X, delta)
    grad = module.backward_delta(X, delta)
    assert grad.shape == np.shape(X) and np.isfinite(grad).all()
    assert all(np.isfinite(g).all() for g in module.gradients().values())


EXTREME_SAFE = [case for case in one_case_per_class(MODULE_CASES) if case.name in {
    "Identity", "TanH", "Sigmoid", "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "MaxPool1D", "MaxPool2D",
    "Dropout", "Flatten", "Reshape", "Transpose2D"}]


@pytest.mark.parametrize("case", EXTREME_SAFE, ids=case_ids(EXTREME_SAFE))
@given(data=st.data())
def test_activations_and_shape_modules_never_give_nan_even_on_extreme_values(case, data):
    module = case.instantiate(0)
    X = data.draw(hnp.arrays(np.float64, (data.draw(st.integers(0, 3)), *case.input_shape[1:]),
                             elements=st.floats(allow_nan=False, allow_infinity=False)), "X")
    Y = module.forward(X)
    assert not np.isnan(Y).any()
    delta = data.draw(hnp.arrays(np.float64, Y.shape, elements=numbers(np.float64, 1e4)), "delta")
    assert not np.isnan(module.backward_delta(X, delta)).any()


CLASSES = one_case_per_class(MODULE_CASES)


@pytest.mark.parametrize("case", CLASSES, ids=case_ids(CLASSES))
@given(data=st.data())
def test_modules_refuse_hostile_inputs_and_deltas_with_their_own_errors(case, data):
    module = case.instantiate(0)
    value = data.draw(hostile(case.input_shape), "X")
    Y, error = _call(module.forward, value)
    if error is None:
        assert isinstance(Y, np.ndarray) and Y.dtype.kind in "fiub"
    X = case.draw_input(0)
    Y = module.forward(X)
    delta = data.draw(hostile(Y.shape), "delta")
    method = data.draw(st.sampled_from(["backward_delta", "backward_update_gradient"]), "method")
    result, error = _call(getattr(module, method), X, delta)
    if error is None and method == "backward_delta":
        assert isinstance(result, np.ndarray) and result.shape == X.shape


# -- losses --------------------------------------------------------------------------------------------
def _unit_yhat(case) -> bool:
    return case.name == "BCELoss" or case.variant.startswith("probabilities")


@st.composite
def loss_batches(draw, case, in_domain: bool):
    """``(y, yhat)`` shaped like the case's data with a drawn batch size; ``in_domain``: values
    the loss is defined on (probabilities where it needs them), else any finite values."""
    y0, yhat0 = case.draw_data(0)
    n = draw(st.integers(0, 5))
    bound = 1e4
    yhat_elements = st.floats(0, 1) if in_domain and _unit_yhat(case) else numbers(np.float64, bound)
    yhat = draw(hnp.arrays(np.float64, (n, *yhat0.shape[1:]), elements=yhat_elements))
    if y0.ndim == 1:  # class labels
        k = yhat0.shape[1]
        y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1) if in_domain
                            else st.integers(-2, k + 2)))
    else:
        unit = case.name != "MSELoss" and in_domain
        y = draw(hnp.arrays(np.float64, (n, *y0.shape[1:]),
                            elements=st.floats(0, 1) if unit else numbers(np.float64, bound)))
    return y, yhat


@pytest.mark.parametrize("case", LOSS_CASES, ids=case_ids(LOSS_CASES))
@given(data=st.data())
def test_losses_in_their_domain_give_finite_values_and_gradients(case, data):
    y, yhat = data.draw(loss_batches(case, in_domain=True), "y, yhat")
    loss = case.instantiate(0)
    losses, grad = loss.forward(y, yhat), loss.backward(y, yhat)
    assert losses.shape == (len(yhat),) and np.isfinite(losses).all()
    assert grad.shape == yhat.shape and np.isfinite(grad).all()


@pytest.mark.parametrize("case", LOSS_CASES, ids=case_ids(LOSS_CASES))
@given(data=st.data())
def test_losses_on_finite_values_out_of_their_domain_refuse_them_or_stay_finite(case, data):
    y, yhat = data.draw(loss_batches(case, in_domain=False), "y, yhat")
    loss = case.instantiate(0)
    for method in (loss.forward, loss.backward):
        result, _ = _call(method, y, yhat, entry=f"{case.name}.")
        if result is not None:
            assert np.isfinite(result).all(), "a NaN or inf from finite values, without an error"


@pytest.mark.parametrize("case", one_case_per_class(LOSS_CASES), ids=case_ids(one_case_per_class(LOSS_CASES)))
@given(data=st.data())
def test_losses_refuse_hostile_values_with_their_own_errors(case, data):
    y, yhat = case.draw_data(0)
    if data.draw(st.booleans(), "replace y"):
        y = data.draw(hostile(y.shape), "y")
    else:
        yhat = data.draw(hostile(yhat.shape), "yhat")
    loss = case.instantiate(0)
    for method in (loss.forward, loss.backward):
        result, _ = _call(method, y, yhat, entry=f"{case.name}.")
        if result is not None:
            assert isinstance(result, np.ndarray)


# -- files: memory never beyond what a file holds -------------------------------------------------------
def _traced(function, *args):
    """``(result, error, peak bytes allocated)``."""
    tracemalloc.start()
    try:
        result, error = _call(function, *args)
        return result, error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


TOKENS = st.sampled_from(["abc", "1e39", "nan", "-inf", "0x10", "１", "\x00", "1e-50", "7.5", "-1", "3",
                          "10", "0.25", "2", "255", "--", ""]) | st.text(max_size=3)


@st.composite
def usps_files(draw):
    """USPS text files: valid rows with mutated tokens and lengths, header lines, blank lines,
    random bytes; gzip-compressed (and maybe truncated) or plain."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300)), draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        level = draw(st.sampled_from(["-1", "0.5", "1", "0", "-0.25"]))
        tokens = [str(draw(st.integers(0, 9)))] + [level] * 256
        for _ in range(draw(st.integers(0, 2))):
            position = draw(st.integers(0, len(tokens) - 1))
            tokens[position] = draw(TOKENS)
        if draw(st.integers(0, 5)) == 0:
            del tokens[draw(st.integers(0, len(tokens) - 1)):]
        rows.append(" ".join(tokens))
    if draw(st.booleans()):
        rows.insert(0, draw(st.sampled_from(["7291 256", "header", ""])))
    text = "\n".join(rows) + draw(st.sampled_from(["", "\n", "\n\n"]))
    return text.encode("utf-8", "surrogatepass"), draw(st.booleans())


def _write_maybe_gzip(path: Path, content: bytes, compress: bool, cut) -> int:
    data = gzip.compress(content) if compress else content
    if cut is not None:
        data = data[:int(len(data) * cut)]
    path.write_bytes(data)
    return len(content)


@given(file=usps_files(), cut=st.none() | st.floats(0, 1))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_usps_readers_read_or_refuse_every_file(tmp_path, file, cut):
    content, compress = file
    path = tmp_path / ("zip.train.gz" if compress else "USPS_train.txt")
    size = _write_maybe_gzip(path, content, compress, cut)
    for reader in (read_usps_text, mltools.load_usps):
        result, error, peak = _traced(reader, path)
        if error is not None:
            assert str(error).startswith(f"load_usps: {path}"), error
        else:
            X, y = result
            assert X.shape == (len(y), 256) and np.isfinite(X).all()
            assert set(np.unique(y)) <= set(range(10)) or reader is mltools.load_usps
        assert peak < 200 * size + MiB, f"{peak / MiB:.1f} MiB for a file of {size} bytes"


@st.composite
def idx_files(draw):
    """IDX files: magic, dtype code, number of axes, sizes (up to 2^32 - 1) and data drawn, the
    data sometimes of the announced length, sometimes not."""
    code = draw(st.sampled_from(sorted(idx_format.IDX_DTYPES)) | st.integers(0, 255))
    dims = draw(st.lists(st.integers(0, 6) | st.integers(0, 2**32 - 1), min_size=0, max_size=4))
    magic = b"\0\0" if draw(st.integers(0, 9)) else draw(st.binary(min_size=2, max_size=2))
    header = magic + bytes([code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    itemsize = idx_format.IDX_DTYPES[code].itemsize if code in idx_format.IDX_DTYPES else 1
    announced = int(np.prod(dims, dtype=object)) * itemsize if dims else 0
    if announced <= 4096 and draw(st.booleans()):
        body = draw(st.binary(min_size=announced, max_size=announced))
    else:
        body = draw(st.binary(max_size=64))
    return header[:draw(st.integers(0, len(header)))] if draw(st.integers(0, 9)) == 0 else header + body


@given(content=idx_files(), compress=st.booleans(), cut=st.none() | st.floats(0, 1))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_idx_reads_or_refuses_every_file(tmp_path, content, compress, cut):
    path = tmp_path / ("x.gz" if compress else "x")
    size = _write_maybe_gzip(path, content, compress, cut)
    result, error, peak = _traced(idx_format.read_idx, path)
    if error is not None:
        assert str(error).startswith(f"read_idx: {path}"), error
    else:
        assert result.shape == tuple(int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big")
                                     for i in range(content[3]))
    assert peak < 4 * size + MiB, f"{peak / MiB:.1f} MiB for a file of {size} bytes"


# -- flambeau.load on damaged files ----------------------------------------------------------------
SAVED = [case for case in one_case_per_class(MODULE_CASES) if case.save]


def _members(case, tmp_path) -> dict[str, bytes]:
    path = tmp_path / "original.npz"
    fb.save(case.instantiate(0), path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
              st.text(max_size=4), st.sampled_from(sorted(MODULES))),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["class", "config", "__module__", "modules", "input", "output", "twin", "ties",
                         "shape", "k_size", "p"]) | st.text(max_size=3), children, max_size=3),
    max_leaves=12)


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(document, path, value):
    if not path:
        return value
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


ZIP_NAME_CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00")  # what zipfile can write


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@st.composite
def damaged_files(draw, members: dict[str, bytes]):
    """The members of a saved model with one to three damages: a header value replaced by a
    generated JSON value (module specs and configs included), a member dropped, added (any name),
    replaced by an array of another shape or dtype, or given a header announcing another shape."""
    members = dict(members)
    header = json.loads(str(np.load(io.BytesIO(members["__flambeau__.npy"]))))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.integers(0, 4))
        names = sorted(members)
        if action == 0:
            path = draw(st.sampled_from(list(_paths(header))))
            header = _replace(header, path, draw(JSON_VALUES))
        elif action == 1 and names:
            del members[draw(st.sampled_from(names))]
        elif action == 2:
            name = draw(st.sampled_from(["param:0.W", "buffer:x", "rule:t", "junk", "../evil", "/abs",
                                         "param:a/b", "__flambeau__"])
                        | st.text(ZIP_NAME_CHARACTERS, max_size=6))
            members[name + ".npy"] = _npy(draw(ANY_ARRAY.filter(lambda a: a.dtype.kind != "O")))
        elif action == 3 and names:
            name = draw(st.sampled_from(names))
            members[name] = _npy(draw(hnp.arrays(hnp.floating_dtypes() | hnp.integer_dtypes(),
                                                 hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))))
        elif names:
            name = draw(st.sampled_from(names))
            shape = tuple(draw(st.lists(st.integers(0, 2**40), max_size=3)))
            text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}".ljust(118) + "\n"
            members[name] = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + b"\0" * 8
    members["__flambeau__.npy"] = _npy(np.array(json.dumps(header)))
    return members


@pytest.mark.parametrize("case", SAVED, ids=case_ids(SAVED))
@given(data=st.data())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_load_reads_or_refuses_damaged_files_within_what_they_hold(tmp_path, case, data):
    members = data.draw(damaged_files(_members(case, tmp_path)), "members")
    path = tmp_path / "damaged.npz"
    with zipfile.ZipFile(path, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate member names are part of the damage
        for name, content in members.items():
            archive.writestr(name, content)
    if data.draw(st.integers(0, 4)) == 0:  # cut or flip the bytes themselves
        raw = bytearray(path.read_bytes())
        position = data.draw(st.integers(0, len(raw) - 1), "position")
        if data.draw(st.booleans()):
            raw = raw[:position]
        else:
            raw[position] ^= data.draw(st.integers(1, 255))
        path.write_bytes(bytes(raw))
    size = path.stat().st_size
    result, error, peak = _traced(fb.load, path)
    if error is not None:
        assert str(error).startswith(f"load: {path}"), error
    else:
        assert isinstance(result, fb.Module)
    assert peak < 8 * size + 2 * MiB, f"{peak / MiB:.1f} MiB for a file of {size} bytes"


def test_the_fuzz_suite_covers_every_module_and_loss_class():
    assert not uncovered_classes()  # every class of the library has a case in the database...
    assert {case.name for case in CLASSES} == {case.name for case in MODULE_CASES}  # ...fuzzed here
    assert {case.name for case in one_case_per_class(LOSS_CASES)} == {case.name for case in LOSS_CASES}
    assert {case.name for case in SAVED} == {case.name for case in MODULE_CASES if case.save}
