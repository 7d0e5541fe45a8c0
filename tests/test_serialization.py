"""Saving and loading: round trips for every registered module, and refusal of bad files."""

from __future__ import annotations

import importlib
import json
import pickle
import pkgutil

import numpy as np
import pytest

import flambeau
from flambeau import Linear, Sequential, TanH
from flambeau.module import MODULES, Module
from flambeau.serialization import SerializationError, load, read_file, write_file


def _import_all_flambeau_modules() -> None:
    """Register every module class of the library (layers, containers, models); the packages
    built on top of it (datasets, experiments, signatures, CLI, web app) define none."""
    skipped = ("flambeau.__main__", "flambeau.app", "flambeau.cli", "flambeau.commands",
               "flambeau.datasets", "flambeau.experiments", "flambeau.signatures", "flambeau.studies")
    for info in pkgutil.walk_packages(flambeau.__path__, "flambeau."):
        if not info.name.startswith(skipped):
            importlib.import_module(info.name)


def _registered() -> list[str]:
    _import_all_flambeau_modules()
    return sorted(name for name, cls in MODULES.items() if cls.__module__.startswith("flambeau."))


def _layer(name: str, *args, **kwargs) -> Module:
    return MODULES[name](*args, **kwargs)


# One small example per registered module class: name -> (factory, input shape).
# A module added to flambeau without an entry here makes test_every_module_has_an_example fail.
EXAMPLES = {
    "Identity": (lambda: _layer("Identity"), (4, 3)),
    "LeakyReLU": (lambda: _layer("LeakyReLU", 0.2), (4, 3)),
    "Linear": (lambda: Linear(3, 2, rng=0), (4, 3)),
    "LogSoftmax": (lambda: _layer("LogSoftmax"), (4, 3)),
    "ReLU": (lambda: _layer("ReLU"), (4, 3)),
    "Sequential": (lambda: Sequential(Linear(3, 5, rng=1), TanH(), Sequential(Linear(5, 2, rng=2))),
                   (4, 3)),
    "Sigmoid": (lambda: _layer("Sigmoid"), (4, 3)),
    "Softmax": (lambda: _layer("Softmax"), (4, 3)),
    "TanH": (lambda: TanH(), (4, 3)),
    "Dropout": (lambda: _layer("Dropout", 0.3, rng=0), (4, 3)),
    "BatchNorm1D": (lambda: _trained_batchnorm(), (4, 3)),
    "Conv1D": (lambda: _layer("Conv1D", 3, 2, 4, stride=2, rng=0), (2, 9, 2)),
    "Conv2D": (lambda: _layer("Conv2D", (3, 2), 2, 3, padding=1, rng=0), (2, 6, 5, 2)),
    "MaxPool1D": (lambda: _layer("MaxPool1D", 2), (2, 8, 3)),
    "AvgPool1D": (lambda: _layer("AvgPool1D", 3, stride=2), (2, 9, 3)),
    "MaxPool2D": (lambda: _layer("MaxPool2D", 2), (2, 4, 6, 3)),
    "AvgPool2D": (lambda: _layer("AvgPool2D", (2, 3)), (2, 4, 6, 3)),
    "Flatten": (lambda: _layer("Flatten"), (2, 4, 3)),
    "Reshape": (lambda: _layer("Reshape", (2, 6)), (2, 12)),
    "Transpose2D": (lambda: _layer("Transpose2D"), (2, 3, 4, 2)),
    "Concat": (lambda: _layer("Concat", Linear(3, 2, rng=0), Sequential(Linear(3, 4, rng=1), TanH())),
               (4, 3)),
    # a TiedLinear reads its twin's weight, which only a network holding the twin saves
    "TiedLinear": (lambda: MODULES["AutoEncoder"].symmetric(6, 2, steps=2, tied=True, rng=0), (4, 6)),
    "AutoEncoder": (lambda: MODULES["AutoEncoder"].symmetric(6, 2, steps=2, rng=0), (4, 6)),
}


def _trained_batchnorm():
    bn = _layer("BatchNorm1D", 3, momentum=0.2)
    bn.forward(np.random.default_rng(0).normal(2.0, 3.0, size=(8, 3)).astype(np.float32))
    bn._parameters["gamma"][...] = [0.5, 1.5, 2.0]
    return bn


def test_every_module_has_an_example():
    missing = [name for name in _registered() if name not in EXAMPLES]
    assert not missing, f"add an entry to EXAMPLES in tests/test_serialization.py for {missing}"


@pytest.mark.parametrize("name", _registered())
def test_round_trip_gives_an_equal_module(name, tmp_path):
    if name not in EXAMPLES:
        pytest.fail(f"no example for {name}: add one to EXAMPLES")
    factory, shape = EXAMPLES[name]
    original = factory()
    assert any(type(m).__name__ == name for m in original.modules()), f"example has no {name}"
    path = tmp_path / "model.npz"
    original.save(path)
    loaded = flambeau.load(path)
    assert type(loaded) is type(original)
    assert repr(loaded) == repr(original)
    for getter in ("parameters", "buffers"):
        ours, theirs = getattr(original, getter)(), getattr(loaded, getter)()
        assert sorted(ours) == sorted(theirs)
        for key in ours:
            assert theirs[key].dtype == ours[key].dtype, key
            np.testing.assert_array_equal(theirs[key], ours[key], err_msg=key)
    X = np.random.default_rng(3).normal(size=shape).astype(np.float32)
    original.eval()
    loaded.eval()
    np.testing.assert_array_equal(loaded.forward(X), original.forward(X))


def test_file_is_one_npz_without_pickle(tmp_path):
    net = EXAMPLES["Sequential"][0]()
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
    with pytest.raises(SerializationError, match="Object arrays cannot be loaded when allow_pickle=False"):
        load(path)
