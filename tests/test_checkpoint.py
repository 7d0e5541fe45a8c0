"""Training checkpoints: written every N epochs, and a resumed run equals an uninterrupted one
(interrupted by an exception or killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import flambeau as fb
from flambeau.callbacks import Callback, EarlyStopping
from flambeau.checkpoint import Checkpoint
from flambeau.schedules import ReduceLROnPlateau
from tests.test_training import assert_same_weights, mlp, run, weights

ROOT = Path(__file__).resolve().parents[1]


def _full_options():
    return {"epochs": 5, "rule": fb.Adam(), "schedule": ReduceLROnPlateau(factor=0.5, patience=0,
                                                                          threshold=0.05),
            "validation_split": 0.25, "early_stopping": EarlyStopping(patience=10), "eps": 0.01}


def test_resume_gives_the_same_result_as_an_uninterrupted_run(tmp_path):
    reference = mlp(dropout=0.3)
    expected = run(reference, **_full_options())

    class Crash(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                raise RuntimeError("power cut")

    path = tmp_path / "run.ckpt.npz"
    with pytest.raises(RuntimeError, match="power cut"):
        run(mlp(dropout=0.3), checkpoint=path, checkpoint_every=2, callbacks=[Crash()], **_full_options())
    # a fresh process: other initial weights, fresh rule, schedule, generators
    resumed_net = mlp(seed=7, dropout=0.3)
    resumed = run(resumed_net, resume=path, checkpoint=path, **_full_options())
    assert_same_weights(weights(resumed_net), weights(reference))
    for key in expected:
        if key != "epoch_time":
            assert resumed[key] == expected[key], key
    assert len(resumed["epoch_time"]) == 5
    assert isinstance(fb.load(path), fb.Sequential)  # a checkpoint also holds the model


def test_checkpoint_every_n_epochs(tmp_path):
    written = []
    path = tmp_path / "c.npz"

    def spy(epoch, logs):
        written.append(path.exists() and fb.serialization.read_file(path)[0]["training"]["epochs_done"])

    run(mlp(), epochs=5, checkpoint=path, checkpoint_every=2, callbacks=[spy])
    # the hook runs before that epoch's checkpoint is written
    assert written == [False, False, 2, 2, 4]
    assert fb.serialization.read_file(path)[0]["training"]["epochs_done"] == 5


def test_resume_refuses_a_mismatch(tmp_path):
    path = tmp_path / "c.npz"
    run(mlp(), epochs=1, checkpoint=path)
    with pytest.raises(fb.SerializationError, match="was trained with GradientDescent, not Adam"):
        run(mlp(), resume=path, rule=fb.Adam())
    other = fb.Sequential(fb.Linear(4, 3))
    with pytest.raises(fb.SerializationError, match="written for another architecture"):
        run(other, resume=path)
    mlp().save(tmp_path / "model.npz")
    with pytest.raises(fb.SerializationError, match="is a saved model, not a training checkpoint"):
        run(mlp(), resume=tmp_path / "model.npz")


def test_resume_reads_the_earlier_layout(tmp_path):
    """Checkpoints written before callback states were keyed by class (states by list position,
    the schedule apart, no reduction) resume to the same result."""
    path = tmp_path / "c.npz"

    def options():  # both states matter: the factor halves each epoch, the best epoch is the first
        return {"epochs": 5, "eps": 3.0, "validation_split": 0.25,
                "schedule": ReduceLROnPlateau(factor=0.5, patience=0, threshold=10.0),
                "early_stopping": EarlyStopping(patience=10, min_delta=1.0)}

    class Crash(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        run(mlp(dropout=0.3), checkpoint=path, checkpoint_every=2, callbacks=[Crash()], **options())
    header, arrays = fb.serialization.read_file(path)
    training = header["training"]
    states = training.pop("callbacks")
    training.pop("reduction")
    training["schedule"] = states.pop("LRSchedule:0")
    training["callbacks"] = {"1": {"class": "EarlyStopping", "state": states.pop("EarlyStopping:0")}}
    assert states == {}
    arrays = {k.replace("callback:EarlyStopping:0:", "callback1:"): v for k, v in arrays.items()}
    fb.serialization.write_file(path, header, arrays)
    reference, resumed_net = mlp(dropout=0.3), mlp(seed=7, dropout=0.3)
    expected = run(reference, **options())
    assert expected.best_epoch == 0 and expected["lr"] == [3.0, 3.0, 1.5, 0.75, 0.375]
    resumed = run(resumed_net, resume=path, **options())
    assert resumed["val_loss"] == expected["val_loss"] and resumed["lr"] == expected["lr"]
    assert resumed.best_epoch == 0
    assert_same_weights(weights(resumed_net), weights(reference))


def test_checkpoint_records_the_reduction(tmp_path):
    path = tmp_path / "c.npz"
    expected = run(mlp(), epochs=4, reduction="sum", eps=0.01)
    run(mlp(), epochs=2, reduction="sum", eps=0.01, callbacks=[Checkpoint(path)])
    assert fb.serialization.read_file(path)[0]["training"]["reduction"] == "sum"
    with pytest.raises(fb.SerializationError, match="was trained with reduction='sum', not 'mean'; pass "
                                                    "the same reduction"):
        run(mlp(), epochs=4, eps=0.01, resume=path)
    net = mlp(seed=3)
    resumed = run(net, epochs=4, reduction="sum", eps=0.01, resume=path)
    assert resumed["train_loss"] == expected["train_loss"]
    with pytest.raises(ValueError, match="Checkpoint: every must be a positive int, got 0"):
        Checkpoint(path, every=0)


_KILLED_RUN = """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from tests.test_training import mlp, run

    def kill_at_third_epoch(epoch, logs):
        if epoch == 2:  # before this epoch's checkpoint is written: the file holds 2 epochs
            os.kill(os.getpid(), signal.SIGKILL)

    run(mlp(dropout=0.3), epochs=5, checkpoint={path!r}, callbacks=[kill_at_third_epoch])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_resume_after_sigkill_gives_the_same_result(tmp_path):
    path = tmp_path / "killed.npz"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    code = textwrap.dedent(_KILLED_RUN).format(root=str(ROOT), path=str(path))
    process = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    assert fb.serialization.read_file(path)[0]["training"]["epochs_done"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed.npz"]  # no temporary file left
    reference, resumed_net = mlp(dropout=0.3), mlp(seed=5, dropout=0.3)
    expected = run(reference, epochs=5)
    resumed = run(resumed_net, epochs=5, resume=path)
    assert resumed["train_loss"] == expected["train_loss"]
    assert_same_weights(weights(resumed_net), weights(reference))


def _damaged(tmp_path, change):
    """A checkpoint of 2 epochs whose header's training entry ``change(training)`` damaged."""
    path = tmp_path / "damaged.npz"
    run(mlp(), epochs=2, checkpoint=path)
    header, arrays = fb.serialization.read_file(path)
    result = change(header["training"])
    if isinstance(result, str):  # the entry replaced by garbage
        header["training"] = result
    fb.serialization.write_file(path, header, arrays)
    return path


@pytest.mark.parametrize("field", ["rule", "rng", "epochs_done", "history", "callbacks", "module_rngs"])
def test_a_checkpoint_missing_a_training_field_is_refused_naming_file_and_field(tmp_path, field):
    path = _damaged(tmp_path, lambda training: training.pop(field))
    net = mlp(seed=3)
    before = weights(net)
    with pytest.raises(fb.SerializationError, match=rf"^resume: {path} has no training field '{field}'; "
                                                    r"it is damaged or was not written by flambeau's "
                                                    r"Checkpoint$"):
        run(net, epochs=3, resume=path)
    assert_same_weights(weights(net), before)  # nothing restored from a damaged file


@pytest.mark.parametrize("change, message", [
    (lambda t: t.update(epochs_done="x"), "has a damaged training field 'epochs_done': expected an int >= 0, "
                                          "got 'x'"),
    (lambda t: t.update(epochs_done=-1), "has a damaged training field 'epochs_done'"),
    (lambda t: t.update(history={"train_loss": 3}), "has a damaged training field 'history': expected a "
                                                    "dict of lists"),
    (lambda t: t.update(rng={"bit_generator": "nope"}),
     "holds an invalid state for the shuffling generator (state must be for a PCG64 RNG)"),
    (lambda t: "x", "has a damaged training entry (not a dict: 'x')"),
    (lambda t: t.update(callbacks={"EarlyStopping:0": "x"}), ""),
])
def test_a_checkpoint_with_a_damaged_training_field_is_refused(tmp_path, change, message):
    path = _damaged(tmp_path, lambda training: change(training))
    with pytest.raises(fb.SerializationError, match=rf"^resume: {path} ") as error:
        run(mlp(), epochs=3, resume=path, early_stopping=2)
    assert message in str(error.value)
