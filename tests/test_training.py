"""SGD's toolkit: validation split, metrics, schedules, clipping, early stopping, callbacks,
divergence, and ``Sequential.fit`` (checkpoints: ``test_checkpoint.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fb
from flambeau.callbacks import Callback, EarlyStopping, StopTraining
from flambeau.schedules import ExponentialLR, ReduceLROnPlateau, StepLR


def blobs(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    return X, y


def mlp(seed=0, dropout=0.0):
    layers = [fb.Linear(4, 12, rng=seed), fb.TanH()]
    if dropout:
        layers.append(fb.Dropout(dropout, rng=seed + 10))
    return fb.Sequential(*layers, fb.Linear(12, 3, rng=seed + 1))


def run(net, **options):
    X, y = blobs()
    defaults = {"batch_size": 16, "epochs": 3, "eps": 0.1, "seed": 0, "progress": False}
    return fb.SGD(net, fb.CrossEntropyLoss(), X, y, **{**defaults, **options})


def weights(net):
    return {k: v.copy() for k, v in net.parameters().items()}


def assert_same_weights(a, b):
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_course_call_is_unchanged():
    history = run(mlp())
    assert sorted(history) == ["epoch_time", "lr", "train_loss"]
    assert history.epochs == 3 and history["lr"] == [0.1, 0.1, 0.1]
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_validation_split_holds_out_the_last_samples():
    X, y = blobs()
    net_a, net_b = mlp(), mlp()
    split = run(net_a, validation_split=0.25)
    explicit = fb.SGD(net_b, fb.CrossEntropyLoss(), X[:180], y[:180], X_val=X[180:], Y_val=y[180:],
                      batch_size=16, epochs=3, eps=0.1, seed=0, progress=False)
    assert split["val_loss"] == explicit["val_loss"]
    assert 0 <= split["val_accuracy"][-1] <= 1
    with pytest.raises(ValueError, match="SGD: give validation_split or X_val/Y_val, not both"):
        run(mlp(), validation_split=0.2, X_val=X, Y_val=y)
    with pytest.raises(ValueError, match=r"SGD: validation_split must lie in \[0, 1\), got 1.5"):
        run(mlp(), validation_split=1.5)


def test_metrics_by_name_function_and_on_training_data():
    def worst_class_recall(y, yhat):
        C = fb.metrics.confusion_matrix(y, yhat, num_classes=3)
        return float((np.diag(C) / np.maximum(C.sum(axis=1), 1)).min())

    history = run(mlp(), validation_split=0.25, metrics=["f1", worst_class_recall], train_metrics=True)
    for key in ("val_f1", "val_worst_class_recall", "train_accuracy", "train_f1"):
        assert len(history[key]) == 3, key
    X, y = blobs()
    net = mlp()
    h = run(net, epochs=1, validation_split=0.25, metrics={"f": fb.metrics.f1_score})
    assert h["val_f"][-1] == pytest.approx(fb.metrics.f1_score(y[180:], fb.predict(net, X[180:])))
    with pytest.raises(ValueError, match="SGD: unknown metric 'nope'"):
        run(mlp(), metrics=["nope"])


def test_schedule_sets_the_learning_rate_of_each_epoch():
    history = run(mlp(), epochs=4, schedule=ExponentialLR(0.95))
    assert history["lr"] == pytest.approx([0.1 * 0.95 ** e for e in range(4)])
    history = run(mlp(), epochs=4, schedule=StepLR(2, gamma=0.5))
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05])
    history = run(mlp(), epochs=3, schedule=lambda epoch: 1 / (epoch + 1))
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_reduce_on_plateau_watches_the_monitor():
    # an impossible threshold: no epoch counts as an improvement after the first
    schedule = ReduceLROnPlateau(factor=0.5, patience=0, threshold=10.0)
    history = run(mlp(), epochs=4, schedule=schedule, validation_split=0.25)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.025])


def test_clip_norm_bounds_each_step():
    seen = []

    class Spy(fb.rules.GradientDescent):
        def step(self, params, grads, lr):
            seen.append(fb.regularization.global_norm(grads))
            super().step(params, grads, lr)

    run(mlp(), epochs=1, eps=5.0, clip_norm=0.01, rule=Spy())
    assert max(seen) <= 0.01 + 1e-6


def test_early_stopping_stops_and_restores_the_best_weights():
    snapshots = []

    class Snapshot(Callback):
        def on_train_begin(self, net, history):
            self.net = net

        def on_epoch_end(self, epoch, logs):
            snapshots.append(weights(self.net))

    net = mlp()
    # a huge learning rate makes the validation loss worse after a while
    history = run(net, epochs=30, eps=3.0, validation_split=0.25, early_stopping=2,
                  callbacks=[Snapshot()])
    assert history.stopped_early
    best = int(np.argmin(history["val_loss"]))
    assert history.best_epoch == best
    assert history.epochs == best + 3  # patience 2: three epochs without improvement
    assert_same_weights(weights(net), snapshots[best])


def test_early_stopping_on_accuracy_and_without_restore():
    stopper = EarlyStopping(patience=0, monitor="val_accuracy", restore_best=False)
    assert stopper.mode == "max"
    net = mlp()
    history = run(net, epochs=20, eps=3.0, validation_split=0.25, early_stopping=stopper)
    assert history.stopped_early and stopper.stopped_epoch == history.epochs - 1
    with pytest.raises(KeyError, match="EarlyStopping: monitor 'val_f1' is not recorded"):
        run(mlp(), validation_split=0.25, early_stopping=EarlyStopping(monitor="val_f1"))


def test_callbacks_order_and_batch_hook_only_when_asked():
    events = []

    class Recorder(Callback):
        def on_train_begin(self, net, history):
            events.append("begin")

        def on_epoch_begin(self, epoch):
            events.append(f"e{epoch}")

        def on_batch_end(self, epoch, batch, loss):
            events.append("b")

        def on_train_end(self, net, history):
            events.append("end")

    logs_seen = []
    run(mlp(), epochs=2, batch_size=120, callbacks=[Recorder(), lambda e, logs: logs_seen.append(e)])
    assert events == ["begin", "e0", "b", "b", "e1", "b", "b", "end"]
    assert logs_seen == [0, 1]


def test_stop_training_from_a_callback():
    def stop_at_second(epoch, logs):
        if epoch == 1:
            raise StopTraining

    history = run(mlp(), epochs=10, callbacks=[stop_at_second])
    assert history.epochs == 2 and history.stopped_early


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_names_epoch_batch_and_advises_smaller_lr():
    X, y = blobs()
    X = X * 1e30
    with pytest.raises(fb.DivergenceError) as info:
        fb.SGD(mlp(), fb.MSELoss(), X, np.eye(3, dtype=np.float32)[y], batch_size=16, epochs=2,
               eps=1e10, seed=0, progress=False)
    message = str(info.value)
    assert "at epoch 1, batch " in message and "/15; try a smaller learning rate (eps=1e+10)" in message


def test_fit_is_sgd():
    X, y = blobs()
    a, b = mlp(), mlp()
    h1 = a.fit(X, y, fb.CrossEntropyLoss(), epochs=2, eps=0.1, seed=3, progress=False)
    h2 = fb.SGD(b, fb.CrossEntropyLoss(), X, y, epochs=2, eps=0.1, seed=3, progress=False)
    assert h1["train_loss"] == h2["train_loss"]
    assert_same_weights(weights(a), weights(b))


def test_argument_errors():
    with pytest.raises(ValueError, match="SGD: checkpoint_every must be a positive int, got 0"):
        run(mlp(), checkpoint_every=0)
    with pytest.raises(ValueError, match="SGD: 'loss' is always recorded; give the metric another name"):
        run(mlp(), metrics={"loss": fb.metrics.accuracy})
    with pytest.raises(TypeError, match="SGD: a callback must be a Callback or a function"):
        run(mlp(), callbacks=[3])
    with pytest.raises(ValueError, match="Optim: clip_norm must be a positive number, got -1"):
        run(mlp(), clip_norm=-1)


def test_progress_bar_shows_epochs_loss_and_validation_metrics(monkeypatch):
    bars = []

    class RecordingBar:
        def __init__(self, iterable, **kwargs):
            self.iterable, self.kwargs, self.postfixes = iterable, kwargs, []
            bars.append(self)

        def __iter__(self):
            return iter(self.iterable)

        def set_postfix(self, values):
            self.postfixes.append(values)

        def close(self):
            pass

    monkeypatch.setattr(fb.training, "tqdm", RecordingBar)
    run(mlp(), epochs=2, validation_split=0.25, progress=False)
    (bar,) = bars
    assert bar.kwargs["unit"] == "epoch" and bar.kwargs["total"] == 2 and bar.kwargs["disable"]
    assert sorted(bar.postfixes[-1]) == ["train_loss", "val_accuracy", "val_loss"]
