"""Hostile or broken model files (``flambeau.archive``): every declared size is checked against
what the file stores and a limit before anything is allocated, unexpected members are refused,
the nesting of the header is bounded, and every error names the file."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

import flambeau as fb
from flambeau.archive import MAX_JSON_DEPTH, json_depth
from flambeau.serialization import SerializationError

MiB = 1 << 20


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _header(value) -> bytes:
    return _npy(np.array(value if isinstance(value, str) else json.dumps(value)))


def _npy_declaring(shape, dtype="<f4", data=b"\0" * 64) -> bytes:
    """A .npy member whose header declares ``shape`` but which stores only ``data``."""
    text = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (118 - len(text)) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + data


@pytest.fixture
def members(tmp_path):
    """The members of a saved ``Sequential(Linear(3, 2))``."""
    path = tmp_path / "good.npz"
    fb.Sequential(fb.Linear(3, 2)).save(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _model(spec):
    return {"format": "flambeau", "version": 1, "kind": "module", "model": spec}


def _refused(path, message, peak_limit=4 * MiB):
    """``load(path)`` raises a SerializationError starting with ``load: <path>`` and matching
    ``message``, without allocating more than ``peak_limit`` bytes on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(SerializationError) as error:
            fb.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = str(error.value)
    assert text.startswith(f"load: {path}"), text
    assert message in text, text
    assert peak < peak_limit, f"{peak / MiB:.1f} MiB allocated before refusing"
    return text


def test_an_npy_header_declaring_10_to_the_12_values_is_refused_before_allocating(tmp_path, members):
    members["param:0.W.npy"] = _npy_declaring((1_000_000, 1_000_000))
    _refused(_write(tmp_path / "huge.npz", members),
             "is damaged: member 'param:0.W.npy' declares shape (1000000, 1000000) of float32 "
             "(4,000,000,000,000 bytes) but holds 64")


def test_a_bare_npy_declaring_10_to_the_12_values_is_refused(tmp_path):
    path = tmp_path / "bare.npy"
    path.write_bytes(_npy_declaring((1_000_000, 1_000_000)))
    _refused(path, "is a bare .npy array, not a flambeau .npz file")


@pytest.mark.parametrize("spec, what", [
    ({"class": "Linear", "config": {"input": 100000, "output": 100000}},
     "Linear: an array of shape (100000, 100000) (10,000,000,000 values) would pass the limit"),
    ({"class": "Conv2D", "config": {"k_size": 1000, "chan_in": 1000, "chan_out": 1000}},
     "Conv2D: an array of shape (1000, 1000, 1000, 1000)"),
    ({"class": "BatchNorm1D", "config": {"num_features": 10**12}}, "BatchNorm1D: an array of shape"),
    ({"class": "Sequential", "config": {"modules": [{"__module__": {"class": "Linear",
                                                                    "config": {"input": 600, "output": 600}}}]
                                        * 1000}},
     "Linear: an array of shape (600, 600) (360,000 values) would pass the limit"),
])
def test_an_architecture_larger_than_the_stored_arrays_is_refused_before_it_is_built(tmp_path, members,
                                                                                       spec, what):
    members["__flambeau__.npy"] = _header(_model(spec))
    text = _refused(_write(tmp_path / "big.npz", members), what)
    assert "stores 8 parameter and buffer values" in text and "refused before allocating it" in text


def test_a_member_whose_data_would_be_read_for_nothing_is_refused_before_it_is_read(tmp_path, members):
    """A compressed member declaring 20 million values for a bias of 2: compared with the
    architecture before its 80 MB are decompressed."""
    members["param:0.b.npy"] = _npy_declaring((20_000_000,), data=b"\0" * 80_000_000)
    path = _write(tmp_path / "bomb.npz", members, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < MiB
    _refused(path, "param '0.b' has shape (20000000,) in the file but (2,) in the architecture")


def test_a_member_claiming_more_than_deflate_can_give_is_refused(tmp_path, members):
    path = _write(tmp_path / "claim.npz", members, zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    # the central directory entry of the member (46 bytes before its name's last occurrence): its
    # uncompressed size, at offset 24, set to 10^9 bytes
    entry = data.rfind(b"param:0.W.npy") - 46
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = (10**9).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    _refused(path, "member 'param:0.W.npy'")


@pytest.mark.parametrize("field", ["model", "format"])
def test_a_header_without_a_field_is_refused_naming_the_file(tmp_path, members, field):
    header = _model({"class": "Sequential", "config": {"modules": []}})
    del header[field]
    members["__flambeau__.npy"] = _header(header)
    what = "a module spec must be" if field == "model" else "has a header that is not a flambeau header"
    _refused(_write(tmp_path / "partial.npz", members), what)


def test_a_header_nested_100000_deep_is_refused_before_it_is_parsed(tmp_path, members):
    text = '{"format": "flambeau", "version": 1, "model": ' + "[" * 100_000 + "]" * 100_000 + "}"
    members["__flambeau__.npy"] = _header(text)
    _refused(_write(tmp_path / "deep.npz", members),
             f"has a header nested 100001 levels deep (at most {MAX_JSON_DEPTH})", peak_limit=16 * MiB)


def test_containers_nested_500_deep_are_refused(tmp_path, members):
    spec = '{"class": "Sequential", "config": {"modules": []}}'
    for _ in range(500):
        spec = '{"class": "Sequential", "config": {"modules": [{"__module__": ' + spec + '}]}}'
    members["__flambeau__.npy"] = _header('{"format": "flambeau", "version": 1, "model": ' + spec + "}")
    _refused(_write(tmp_path / "nested.npz", members), "has a header nested 2004 levels deep")


def test_a_network_nested_a_few_levels_deep_still_loads(tmp_path):
    net = fb.Sequential(fb.Linear(3, 3))
    for _ in range(12):
        net = fb.Sequential(net, fb.TanH())
    net.save(tmp_path / "nested.npz")
    assert repr(fb.load(tmp_path / "nested.npz")) == repr(net)


def test_json_depth_skips_brackets_inside_strings():
    assert json_depth('{"a": [1, {"b": "[[[{{{"}]}') == 3
    assert json_depth('"\\"[["') == 0
    assert json_depth("[]") == 1


@pytest.mark.parametrize("name", ["junk.npy", "../../evil.npy", "/etc/passwd", "readme.txt",
                                  "param:../x.npy", "param:a/b.npy", "rule:t.npy"])
def test_unexpected_members_are_refused(tmp_path, members, name):
    members[name] = _npy(np.zeros(3, np.float32))
    text = _refused(_write(tmp_path / "extra.npz", members), "")
    assert "unexpected member" in text or "holds arrays that a saved module does not" in text


def test_a_duplicated_member_is_refused(tmp_path, members):
    path = tmp_path / "twice.npz"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        for name, data in [*members.items(), ("param:0.b.npy", members["param:0.b.npy"])]:
            archive.writestr(name, data)
    _refused(path, "holds the member 'param:0.b.npy' twice")


@pytest.mark.parametrize("dtype, message", [
    (np.complex64, "member 'param:0.W.npy' has dtype complex64; flambeau files hold numbers"),
    (np.float16, "param '0.W' has dtype float16, expected float32 or float64"),
])
def test_arrays_of_other_dtypes_are_refused(tmp_path, members, dtype, message):
    members["param:0.W.npy"] = _npy(np.zeros((3, 2), dtype))
    _refused(_write(tmp_path / "dtype.npz", members), message)


def test_big_endian_arrays_load_as_native(tmp_path, members):
    members["param:0.W.npy"] = _npy(np.arange(6, dtype=">f4").reshape(3, 2))
    net = fb.load(_write(tmp_path / "big_endian.npz", members))
    np.testing.assert_array_equal(net.parameters()["0.W"], np.arange(6).reshape(3, 2))
    assert net.parameters()["0.W"].dtype == np.float32


@pytest.mark.parametrize("cut", [20, 200, -10])
def test_a_truncated_file_is_refused_naming_it(tmp_path, cut):
    path = tmp_path / "model.npz"
    fb.Sequential(fb.Linear(3, 2)).save(path)
    path.write_bytes(path.read_bytes()[:cut])
    _refused(path, "")


@pytest.mark.parametrize("spec, message", [
    ({"class": "Linear", "config": {"input": "3", "output": 2}},
     "cannot rebuild Linear from its config {'input': '3', 'output': 2}: Linear: input must be a positive "
     "int, got '3'"),
    ({"class": "os.system", "config": {}}, "unknown module class 'os.system'"),
    ({"class": "Linear", "config": {"input": 3, "output": 2, "dtype": "float16"}},
     "Linear: flambeau supports float32 and float64 parameters, got float16"),
])
def test_config_errors_name_the_file(tmp_path, members, spec, message):
    members["__flambeau__.npy"] = _header(_model(spec))
    _refused(_write(tmp_path / "config.npz", members), message)


@pytest.mark.parametrize("path, message", [
    (None, r"^load: path must be a file path \(str or pathlib.Path\), got None$"),
    (3, r"^load: path must be a file path \(str or pathlib.Path\), got int 3$"),
    ("", r"^load: path must be a file path \(str or pathlib.Path\), got str ''$"),
])
def test_a_path_that_is_not_one_is_refused(path, message):
    with pytest.raises(TypeError, match=message):
        fb.load(path)


def test_saving_refuses_array_names_a_reader_would_refuse(tmp_path):
    class Odd(fb.Module):
        def __init__(self):
            super().__init__()
            self._parameters = {"a/b": np.zeros(2)}
            self._init_gradients()

    with pytest.raises(SerializationError, match=r"^save: array names may not hold '/'"):
        fb.serialization.write_file(tmp_path / "odd.npz", {"format": "flambeau"},
                                    fb.serialization.model_arrays(Odd()))


@pytest.mark.parametrize("offset, value, what", [
    (10, 99, "uses compression method 99"),  # the central directory's compression method
    (8, 1, "is encrypted"),  # its general purpose flags: bit 0, encrypted
])
def test_a_member_zipfile_cannot_read_is_refused_naming_the_file(tmp_path, members, offset, value, what):
    """Found by the fuzz suite: a flipped compression-method byte gave zipfile's NotImplementedError."""
    path = _write(tmp_path / "method.npz", members)
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"param:0.W.npy") - 46
    data[entry + offset:entry + offset + 2] = value.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    _refused(path, what)
