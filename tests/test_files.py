"""flambeau.files: atomic writes with umask permissions, crash leftovers, strict JSON, figures."""

from __future__ import annotations

import ast
import json
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import flambeau as fb
from flambeau import files
from flambeau.callbacks import Callback
from flambeau.schedules import ReduceLROnPlateau
from flambeau.serialization import read_file
from tests.helpers import REPO, assert_strict_json_files, assert_umask_permissions, strict_json

SRC = REPO / "src" / "flambeau"


@pytest.fixture
def umask_027():
    """A umask other than the usual 022, so that hard-coded or private modes show."""
    previous = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(previous)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _figure() -> Figure:
    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1, 0])
    return fig


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- atomic writes ------------------------------------------------------------------------------
def test_writes_create_folders_and_replace_the_old_file(tmp_path):
    path = tmp_path / "a" / "b" / "notes.txt"
    assert files.write_text(path, "première\n") == path
    assert files.write_bytes(path, b"second") == path
    assert path.read_bytes() == b"second" and _names(path.parent) == ["notes.txt"]
    files.write_npz(tmp_path / "x.npz", {"w": np.arange(3)}, compressed=True)
    with np.load(tmp_path / "x.npz") as archive:
        np.testing.assert_array_equal(archive["w"], np.arange(3))


def test_an_error_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"), files.atomic_write(path) as file:
        file.write(b"partial")
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old" and _names(tmp_path) == ["f.bin"]

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="disk full"):
        files.write_npz(path, {"w": np.zeros(2)})
    fig = _figure()
    monkeypatch.setattr(fig, "savefig", disk_full)
    with pytest.raises(OSError, match="disk full"):
        files.save_figure(fig, path)
    assert path.read_bytes() == b"old" and _names(tmp_path) == ["f.bin"]


def test_new_files_and_folders_follow_the_umask(tmp_path, umask_027):
    out = tmp_path / "out"
    files.write_json(out / "metrics.json", {"a": 1})
    files.write_text(out / "report.html", "<html></html>")
    files.save_figure(_figure(), out / "curve.png")
    fb.Linear(3, 2, rng=0).save(out / "model.npz")
    tmp = files.temporary_folder(out, "study")
    files.write_json(tmp / "study.json", {})
    files.publish_folder(tmp, out / "study")
    assert _names(out) == ["curve.png", "metrics.json", "model.npz", "report.html", "study"]
    assert assert_umask_permissions(out) == 5
    assert (out / "curve.png").stat().st_mode & 0o777 == 0o640  # not mkstemp's 0o600


def test_save_figure_closes_pyplot_figures_and_can_crop(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 3))
    ax.plot([1, 2])
    files.save_figure(fig, tmp_path / "full.png")
    assert not plt.fignum_exists(fig.number)
    files.save_figure(fig, tmp_path / "tight.png", tight=True)
    assert (tmp_path / "full.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "tight.png").stat().st_size < (tmp_path / "full.png").stat().st_size


# -- crash leftovers ------------------------------------------------------------------------------
def test_a_write_removes_only_the_stale_temporaries_of_its_target(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".m.npz.{dead}.0123abcd.tmp"
    kept = [f".m.npz.{os.getpid()}.89abcdef.tmp",  # a write in progress in this process
            ".m.npz.1.0123abcd.tmp",                # process 1 runs
            f".other.npz.{dead}.0123abcd.tmp",      # another target
            f".m.npz.{dead}.tmp", f".m.npz.{dead}.0123abcd.part", f"m.npz.{dead}.0123abcd.tmp",
            f".m.npz.{dead}.0123ABCD.tmp", "notes.txt"]
    for name in [stale.name, *kept]:
        (tmp_path / name).write_bytes(b"left")
    fb.Linear(3, 2).save(tmp_path / "m.npz")
    assert _names(tmp_path) == sorted([*kept, "m.npz"])


def test_a_temporary_folder_removes_stale_temporary_folders_of_its_name(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".study.{dead}.0123abcd.tmp"
    (stale / "inner").mkdir(parents=True)
    (stale / "inner" / "arrays.npz").write_bytes(b"left")
    other = tmp_path / f".study2.{dead}.0123abcd.tmp"
    other.mkdir()
    tmp = files.temporary_folder(tmp_path, "study")
    assert _names(tmp_path) == sorted([other.name, tmp.name])
    assert tmp.name.startswith(f".study.{os.getpid()}.") and tmp.name.endswith(".tmp")


def _train(checkpoint=None, resume=None, net_seed=0):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4)).astype(np.float32), rng.integers(0, 3, size=40)
    net = fb.Sequential(fb.Linear(4, 8, rng=net_seed), fb.TanH(), fb.Linear(8, 3, rng=net_seed + 1))
    fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=8, epochs=5, eps=0.1, seed=0, progress=False,
           checkpoint=checkpoint, resume=resume)
    return net


_KILLED_DURING_THE_THIRD_CHECKPOINT = """
import sys, time
import numpy as np
from tests.test_files import _train

savez, calls = np.savez, []

def savez_then_hang(file, **arrays):
    savez(file, **arrays)
    calls.append(file)
    if len(calls) == 3:  # the third checkpoint is whole in its temporary file, not yet renamed
        print("hanging", flush=True)
        time.sleep(600)

np.savez = savez_then_hang
_train(sys.argv[1])
"""


def test_sigkill_during_a_checkpoint_write_then_resume(tmp_path):
    path = tmp_path / "run.npz"
    source = os.pathsep.join([str(Path(fb.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    child = subprocess.Popen([sys.executable, "-c", _KILLED_DURING_THE_THIRD_CHECKPOINT, str(path)],
                             cwd=REPO, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": source})
    try:
        assert child.stdout.readline() == "hanging\n"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    leftovers = [p.name for p in tmp_path.iterdir() if p != path]
    assert len(leftovers) == 1 and leftovers[0].startswith(f".run.npz.{child.pid}.")
    assert read_file(path)[0]["training"]["epochs_done"] == 2  # the last complete checkpoint
    resumed = _train(checkpoint=path, resume=path, net_seed=7)
    assert _names(tmp_path) == ["run.npz"]  # the next write of the checkpoint removed the leftover
    for ours, uninterrupted in zip(resumed.parameters().values(), _train().parameters().values(),
                                   strict=True):
        np.testing.assert_array_equal(ours, uninterrupted)


# -- strict JSON ----------------------------------------------------------------------------------
def test_artefact_json_writes_null_and_inf_strings(tmp_path):
    value = {"nan": math.nan, "inf": math.inf, "ninf": -np.inf, "f32": np.float32(1.5),
             "array": np.array([1.0, np.nan]), "pair": (1, 2), "path": Path("a/b"), 3: "key"}
    path = files.write_json(tmp_path / "m.json", value)
    expected = {"nan": None, "inf": "inf", "ninf": "-inf", "f32": 1.5, "array": [1.0, None],
                "pair": [1, 2], "path": "a/b", "3": "key"}
    text = path.read_text()
    assert strict_json(text) == expected == files.read_json(path)
    assert text.endswith("}\n") and "NaN" not in text and "Infinity" not in text
    assert files.dumps({"x": [math.inf]}, indent=None) == '{"x": ["inf"]}'


def test_exact_json_round_trips_non_finite_floats():
    value = {"history": {"loss": [1.0, math.nan, math.inf, -math.inf, 1e-310]},
             "best": math.inf, "pair": (math.nan, 2), "none": None,
             "look_alike": {"__float__": "inf", "other": 1}, "not_a_tag": {"__float__": "1.5"}}
    text = files.dumps_exact(value)
    assert strict_json(text)["best"] == {"__float__": "inf"}
    back = files.loads_exact(text)
    loss = back["history"]["loss"]
    assert loss[0] == 1.0 and math.isnan(loss[1]) and loss[2:] == [math.inf, -math.inf, 1e-310]
    assert back["best"] == math.inf and math.isnan(back["pair"][0]) and back["pair"][1] == 2
    assert back["none"] is None
    assert back["look_alike"] == {"__float__": "inf", "other": 1}
    assert back["not_a_tag"] == {"__float__": "1.5"}
    assert files.loads_exact('{"best": Infinity}') == {"best": math.inf}  # files of earlier versions


class _Clock(Callback):
    """Tells ``_odd_metric`` which epoch it scores."""

    epoch = 0

    def on_epoch_begin(self, epoch):
        _Clock.epoch = epoch


def _odd_metric(y, yhat):
    return [math.inf, math.nan, -math.inf, 0.5, 0.25][_Clock.epoch]


class _Crash(Callback):
    def on_epoch_end(self, epoch, logs):
        if epoch == 2:
            raise RuntimeError("power cut")


def _fit_with_odd_values(net_seed=0, **options):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 4)).astype(np.float32), rng.integers(0, 3, size=40)
    net = fb.Sequential(fb.Linear(4, 8, rng=net_seed), fb.TanH(), fb.Linear(8, 3, rng=net_seed + 1))
    callbacks = [_Clock(), *options.pop("callbacks", [])]
    history = fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=8, epochs=5, eps=0.1, seed=0,
                     progress=False, validation_split=0.25, metrics={"odd": _odd_metric},
                     monitor="val_odd", schedule=ReduceLROnPlateau(factor=0.5, patience=0),
                     callbacks=callbacks, **options)
    return net, history


def test_checkpoint_with_nan_and_inf_in_its_history_resumes_bit_identically(tmp_path):
    reference_net, reference = _fit_with_odd_values()
    path = tmp_path / "run.npz"
    with pytest.raises(RuntimeError, match="power cut"):
        _fit_with_odd_values(checkpoint=path, checkpoint_every=2, callbacks=[_Crash()])
    with np.load(path, allow_pickle=False) as archive:
        training = strict_json(str(archive["__flambeau__"]))["training"]
    assert training["history"]["val_odd"] == [{"__float__": "inf"}, {"__float__": "nan"}]
    assert training["callbacks"]["LRSchedule:0"]["best"] == {"__float__": "inf"}  # the plateau's best so far
    net, resumed = _fit_with_odd_values(net_seed=7, checkpoint=path, resume=path)
    for ours, uninterrupted in zip(net.parameters().values(), reference_net.parameters().values(),
                                   strict=True):
        np.testing.assert_array_equal(ours, uninterrupted)
    for key in reference:
        if key != "epoch_time":
            np.testing.assert_array_equal(resumed[key], reference[key], err_msg=key)
    assert math.isinf(resumed["val_odd"][0]) and math.isnan(resumed["val_odd"][1])


# -- every writer of the project ------------------------------------------------------------------
@dataclass(frozen=True)
class _ToyConfig:
    n: int = 5


def _toy_run(config, ctx):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(np.arange(config.n))
    ctx.figure(fig, "line", "a line against its index")
    return {"nan": math.nan, "inf": math.inf, "values": np.arange(config.n) / 2}


def _toy_task(width: int, seed: int = 0) -> dict:
    return {"loss": 1 / width, "worst": math.inf, "undefined": math.nan}


def test_every_json_document_the_writers_produce_is_strict(tmp_path, umask_027, monkeypatch):
    from flambeau.app.synthetic import write_synthetic_run
    from flambeau.experiments import Study, run_study, sweep_tasks
    from flambeau.experiments.sweep import Grid, run_sweep
    from flambeau.signatures import run_signatures

    out = tmp_path / "runs"
    toy = Study("toy", "Toy", "non-finite metrics", _toy_run,
                {"tiny": _ToyConfig(), "quick": _ToyConfig(), "full": _ToyConfig()})
    run_study(toy, "tiny", out, progress=False, raise_errors=True)
    monkeypatch.setitem(sweep_tasks.TASKS, "toy", _toy_task)  # n_jobs=1 runs in this process
    run_sweep(Grid(name="toy", task="toy", metric="loss", grids=({"width": [4, 6]},)), out / "sweep",
              n_jobs=1, progress=False)
    run_signatures(runs_dir=out, show_progress=False, classes=(1, 7), n_per_class=10, hidden=(4,),
          anomalies=(4,), n_anomalies=4, epochs=2, k_range=(2, 3), projection="pca")
    write_synthetic_run(out, "synthetic", n=40, n_layers=2)
    _fit_with_odd_values(checkpoint=out / "checkpoint.npz")
    fb.save(fb.Sequential(fb.Linear(3, 2), fb.ReLU()), out / "model.npz")

    # config, metrics, grid, summary, study (x2), checkpoint and 2 model headers
    assert assert_strict_json_files(out) == 9
    assert assert_umask_permissions(out) == 17  # PNGs, HTML report, CSV, JSON, .npz
    metrics = json.loads((out / "toy" / "metrics.json").read_text())
    assert (metrics["nan"], metrics["inf"], metrics["values"][1]) == (None, "inf", 0.5)
    best = json.loads((out / "sweep" / "summary.json").read_text())["best"]
    assert (best["width"], best["worst"], best["undefined"]) == (6, "inf", None)


_WRITING_METHODS = {"savefig", "savez", "savez_compressed", "write_text", "write_bytes", "mkstemp",
                    "mkdtemp", "NamedTemporaryFile"}
_WRITING_FUNCTIONS = {("np", "save"), ("json", "dump"), ("os", "replace"), ("os", "rename"),
                      ("shutil", "move"), ("shutil", "copy"), ("shutil", "copy2"), ("shutil", "copyfile")}


def _opens_for_writing(call: ast.Call) -> bool:
    modes = [a.value for a in call.args[1:2] if isinstance(a, ast.Constant)]
    modes += [k.value.value for k in call.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
    return any(set(str(mode)) & set("wax+") for mode in modes)


def _writes(path: Path):
    """``(line, call)`` of each call in ``path`` that writes a file without ``flambeau.files``."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):  # functions imported from flambeau.files, or open()
            writes = func.id == "open" and _opens_for_writing(node)
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            writes = owner != "files" and (func.attr in _WRITING_METHODS
                                           or (owner, func.attr) in _WRITING_FUNCTIONS
                                           or (func.attr == "open" and _opens_for_writing(node)))
        else:
            writes = False
        if writes:
            yield node.lineno, ast.unparse(node)[:80]


def test_only_flambeau_files_writes_files():
    found = {f"{path.relative_to(SRC)}:{line}": call for path in SRC.rglob("*.py")
             if path.name != "files.py" for line, call in _writes(path)}
    assert found == {}
    assert list(_writes(SRC / "files.py"))  # the scan sees writes where there are some
