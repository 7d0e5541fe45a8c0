"""Training checkpoints: written every N epochs, and a resumed run equals an uninterrupted one."""

from __future__ import annotations

import pytest

import flambeau as fb
from flambeau.callbacks import Callback, EarlyStopping
from flambeau.schedules import ReduceLROnPlateau
from tests.test_training import assert_same_weights, mlp, run, weights


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
