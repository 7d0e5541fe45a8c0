"""Saving and loading: the file format, dtypes, the course's names, atomic writes, and refusal of bad
files (the round trip of every module case: the check battery, tests/test_modules.py)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import flambeau
from flambeau import BatchNorm1D, Linear, Sequential, TanH
from flambeau.serialization import SerializationError, load, read_file, write_file


def test_file_is_one_npz_without_pickle(tmp_path):
    net = Sequential(Linear(3, 5, rng=1), TanH(), Sequential(Linear(5, 2, rng=2)))
    net.save(tmp_path / "net.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
    with np.load(tmp_path / "net.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["__flambeau__", "param:0.W", "param:0.b", "param:2.0.W",
                                         "param:2.0.b"]
        header = json.loads(str(archive["__flambeau__"]))
    assert header["model"]["class"] == "Sequential"
    assert header["model"]["config"]["modules"][0] == {
        "__module__": {"class": "Linear", "config": {"input": 3, "output": 5, "bias": True,
                                                     "init": "uniform"}}}


def test_loading_keeps_the_default_generator_untouched(tmp_path):
    Linear(3, 2, rng=0).save(tmp_path / "l.npz")
    flambeau.manual_seed(5)
    expected = np.random.default_rng(5).random()
    flambeau.manual_seed(5)
    flambeau.load(tmp_path / "l.npz")
    assert flambeau.random.default_generator().random() == expected


def test_float64_model_stays_float64(tmp_path):
    net = Sequential(Linear(3, 2, rng=0)).to(np.float64)
    net.save(tmp_path / "n.npz")
    assert flambeau.load(tmp_path / "n.npz").dtype == np.float64


def test_module_without_parameters_keeps_the_dtype_of_its_buffers(tmp_path):
    BatchNorm1D(3, affine=False).to(np.float64).save(tmp_path / "bn.npz")
    assert flambeau.load(tmp_path / "bn.npz").buffers()["running_var"].dtype == np.float64


def test_course_names_save_and_load(tmp_path):
    net = flambeau.Sequentiel(Linear(3, 4, rng=0), TanH(), Linear(4, 2, rng=1))
    net.save(tmp_path / "net.npz")
    same = flambeau.Sequentiel.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(same[0]._parameters["W"], net[0]._parameters["W"])
    other = flambeau.Sequentiel(Linear(3, 4, rng=7), TanH(), Linear(4, 2, rng=8))
    assert other.load(tmp_path / "net.npz") is other
    np.testing.assert_array_equal(other[2]._parameters["b"], net[2]._parameters["b"])


def test_class_load_checks_the_class(tmp_path):
    Linear(3, 2).save(tmp_path / "l.npz")
    with pytest.raises(TypeError, match=r"Sequential.load: .*l.npz holds a Linear, not a Sequential"):
        Sequential.load(tmp_path / "l.npz")


def test_instance_load_refuses_another_architecture(tmp_path):
    Sequential(Linear(3, 2)).save(tmp_path / "a.npz")
    with pytest.raises(SerializationError, match="holds a different architecture"):
        Sequential(Linear(3, 4)).load(tmp_path / "a.npz")


def test_write_is_atomic_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    Linear(3, 2, rng=0).save(path)
    before = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        Linear(3, 2, rng=1).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


# -- tampered and foreign files -----------------------------------------------------------------
def test_pickle_file_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"W": [1, 2]}))
    with pytest.raises(SerializationError, match=r"evil.npz is not a flambeau .npz file"):
        load(path)


def test_random_npz_is_refused(tmp_path):
    path = tmp_path / "random.npz"
    np.savez(path, a=np.arange(3))
    with pytest.raises(SerializationError, match="is an .npz file but not a flambeau file"):
        load(path)


def test_bare_npy_is_refused(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(3))
    with pytest.raises(SerializationError, match="is a bare .npy array"):
        load(path)


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(200))
    with pytest.raises(SerializationError, match="is not a flambeau .npz file"):
        load(path)


def test_broken_json_is_refused(tmp_path):
    path = tmp_path / "broken.npz"
    np.savez(path, __flambeau__=np.array('{"format": "flambeau", "version": 1, "model": {'))
    with pytest.raises(SerializationError, match=r"damaged header \(invalid JSON"):
        load(path)


def test_wrong_shapes_are_refused(tmp_path):
    path = tmp_path / "m.npz"
    Linear(3, 2).save(path)
    header, arrays = read_file(path)
    arrays["param:W"] = np.zeros((2, 3), dtype=np.float32)
    write_file(path, header, arrays)
    with pytest.raises(SerializationError) as info:
        load(path)
    assert str(info.value) == (f"load: {path}: param 'W' has shape (2, 3) in the file but (3, 2) "
                               "in the architecture")


def test_missing_array_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    Linear(3, 2).save(path)
    header, arrays = read_file(path)
    del arrays["param:b"]
    write_file(path, header, arrays)
    with pytest.raises(SerializationError, match=r"param arrays missing \['b'\], unexpected \[\]"):
        load(path)


def test_unknown_class_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    write_file(path, {"format": "flambeau", "version": 1, "kind": "module",
                      "model": {"class": "Nope", "config": {}}}, {})
    with pytest.raises(SerializationError, match="unknown module class 'Nope'"):
        load(path)


def test_bad_config_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    write_file(path, {"format": "flambeau", "version": 1, "kind": "module",
                      "model": {"class": "Linear", "config": {"input": -3, "output": 2}}}, {})
    with pytest.raises(SerializationError, match="cannot rebuild Linear from its config"):
        load(path)


def test_future_version_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    write_file(path, {"format": "flambeau", "version": 99}, {})
    with pytest.raises(SerializationError, match="format version 99; this flambeau reads version 1"):
        load(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="load: no such file"):
        load("/nonexistent/model.npz")


def test_npz_hiding_a_pickled_object_is_refused(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, __flambeau__=np.array([{"format": "flambeau"}], dtype=object))
    with pytest.raises(SerializationError, match="member '__flambeau__.npy' has dtype object; "
                                                 "flambeau files hold numbers"):
        load(path)
