"""SGD and its loop: validation split, metrics, schedules, clipping, early stopping, callbacks
(the keyword options are the callbacks), lr/eps, reduction, divergence, and ``Sequential.fit``
(checkpoints: ``test_checkpoint.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fb
from flambeau.callbacks import Callback, EarlyStopping, ProgressBar, StopTraining
from flambeau.evaluation import Metrics
from flambeau.schedules import ExponentialLR, LRSchedule, ReduceLROnPlateau, StepLR


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
    assert "at epoch 1, batch " in message and "/15; try a smaller learning rate (lr=1e+10)" in message


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
    with pytest.raises(KeyError, match="LRSchedule: monitor 'val_loss' is not recorded"):
        run(mlp(), callbacks=[LRSchedule(ReduceLROnPlateau())])
    with pytest.raises(TypeError, match="SGD: early_stopping must be a patience .* got True"):
        run(mlp(), early_stopping=True)


def test_progress_bar_says_which_gradient_and_shows_mean_losses(monkeypatch):
    bars = []

    class RecordingBar:
        def __init__(self, **kwargs):
            self.kwargs, self.postfixes, self.n, self.closed = kwargs, [], kwargs["initial"], False
            bars.append(self)

        def update(self, n):
            self.n += n

        def set_postfix(self, values):
            self.postfixes.append(values)

        def close(self):
            self.closed = True

    monkeypatch.setattr(fb.callbacks, "tqdm", RecordingBar)
    run(mlp(), epochs=2, validation_split=0.25, progress=False)
    assert bars == []
    run(mlp(), epochs=2, validation_split=0.25, progress=True, reduction="sum")
    (bar,) = bars
    assert bar.kwargs["unit"] == "epoch" and bar.kwargs["total"] == 2
    assert bar.kwargs["desc"] == "SGD (sum gradient; losses: means per sample)"
    assert bar.n == 2 and bar.closed
    assert sorted(bar.postfixes[-1]) == ["train_loss", "val_accuracy", "val_loss"]


def test_lr_is_eps():
    a, b = mlp(), mlp()
    h_eps, h_lr = run(a, eps=0.2), run(b, eps=None, lr=0.2)
    assert h_eps["train_loss"] == h_lr["train_loss"] and h_lr["lr"] == [0.2] * 3
    assert_same_weights(weights(a), weights(b))
    X, y = blobs()
    positional = fb.SGD(mlp(), fb.CrossEntropyLoss(), X, y, 16, 3, 0.2, True, 0, progress=False)
    assert positional["train_loss"] == h_eps["train_loss"]
    with pytest.raises(ValueError, match="SGD: give the learning rate as lr or as eps"):
        run(mlp(), eps=0.1, lr=0.1)
    with pytest.raises(ValueError, match=r"SGD: the learning rate \(lr, or eps\) must be a positive "
                                         "number, got 0"):
        run(mlp(), eps=0)


def test_sum_reduction_is_mean_reduction_at_lr_times_batch_size():
    """Full batches of 16, plain gradient descent: sum at lr = mean at 16 lr (up to rounding);
    the recorded losses are means per sample in both."""
    X, y = blobs(n=224)  # 14 full batches
    a, b = mlp(), mlp()
    h_sum = fb.SGD(a, fb.CrossEntropyLoss(), X, y, 16, 2, 0.01, seed=0, progress=False, reduction="sum")
    h_mean = fb.SGD(b, fb.CrossEntropyLoss(), X, y, 16, 2, 0.16, seed=0, progress=False)
    np.testing.assert_allclose(h_sum["train_loss"], h_mean["train_loss"], rtol=1e-5)
    for key, value in weights(a).items():
        np.testing.assert_allclose(value, weights(b)[key], rtol=1e-4, atol=1e-6, err_msg=key)
    h_mean_same_lr = fb.SGD(mlp(), fb.CrossEntropyLoss(), X, y, 16, 2, 0.01, seed=0, progress=False)
    assert h_mean_same_lr["train_loss"][-1] > h_sum["train_loss"][-1] + 0.1  # the reduction acts
    h_fit = mlp().fit(X, y, fb.CrossEntropyLoss(), batch_size=16, epochs=2, eps=0.01, seed=0,
                      progress=False, reduction="sum")
    assert h_fit["train_loss"] == h_sum["train_loss"]
    with pytest.raises(ValueError, match="Optim: reduction must be 'mean' .* or 'sum' .*, got 'none'"):
        run(mlp(), reduction="none")


def test_keyword_options_are_the_callbacks():
    """Each shortcut builds a callback: passing the callbacks themselves gives the same run."""
    X, y = blobs()
    a, b = mlp(dropout=0.2), mlp(dropout=0.2)
    by_keywords = fb.SGD(a, fb.CrossEntropyLoss(), X[:180], y[:180], 16, 30, 3.0, seed=0, progress=False,
                         X_val=X[180:], Y_val=y[180:], metrics=["f1"], train_metrics=True,
                         schedule=ReduceLROnPlateau(0.5, patience=0, threshold=0.05), early_stopping=1)
    by_callbacks = fb.SGD(b, fb.CrossEntropyLoss(), X[:180], y[:180], 16, 30, 3.0, seed=0, progress=False,
                          callbacks=[EarlyStopping(patience=1), LRSchedule(ReduceLROnPlateau(
                              0.5, patience=0, threshold=0.05)), Metrics(X[180:], y[180:], ["f1"]),
                              Metrics(X[:180], y[:180], ["f1"], prefix="train", record_loss=False)])
    assert sorted(by_keywords) == sorted(by_callbacks)
    for key in by_keywords:
        if key != "epoch_time":
            assert by_keywords[key] == by_callbacks[key], key
    assert by_callbacks.best_epoch == by_keywords.best_epoch is not None
    assert by_callbacks.stopped_early and by_keywords.stopped_early
    assert_same_weights(weights(a), weights(b))


def test_callbacks_run_by_order_and_see_the_measured_epoch():
    seen = []

    class Late(Callback):
        order = 15

        def on_epoch_end(self, epoch, logs):
            seen.append(("late", sorted(logs)))

    class Reader(Callback):
        def on_epoch_end(self, epoch, logs):
            seen.append(("reader", len(self.trainer.history["val_loss"]), self.trainer.optim.lr))

    run(mlp(), epochs=1, callbacks=[Late(), Reader(), Metrics(*blobs(40, seed=1))])
    assert seen == [("reader", 1, 0.1), ("late", ["epoch_time", "lr", "train_loss", "val_accuracy",
                                                  "val_loss"])]


def test_transform_changes_each_batch_inputs_with_the_loop_generator():
    seen = []

    def transform(batch, rng):
        seen.append(len(batch))
        return batch + rng.normal(size=batch.shape).astype(batch.dtype)

    a, b = mlp(), mlp()
    noisy = run(a, epochs=2, batch_size=100, transform=transform)
    assert seen == [100, 100, 40] * 2
    assert noisy["train_loss"] != run(b, epochs=2, batch_size=100)["train_loss"]
    again = run(mlp(), epochs=2, batch_size=100, transform=transform)
    assert again["train_loss"] == noisy["train_loss"]


def test_history_is_the_recording_callback():
    history = fb.History()
    history.on_epoch_end(0, {"train_loss": 1.0, "lr": 0.1})
    history.on_epoch_end(1, {"train_loss": 0.5, "lr": 0.1})
    assert history == {"train_loss": [1.0, 0.5], "lr": [0.1, 0.1]} and history.epochs == 2
    assert ProgressBar.order > 0 > fb.History.order > Metrics.order


def _binary_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, np.where(X[:, :1] > 0, 1.0, -1.0).astype(np.float32)  # -1/+1 labels, as gen_arti's


def test_sgd_on_plus_minus_one_labels_says_use_y_plus_one_over_two_not_lower_lr():
    X, y = _binary_data()
    net = fb.Sequential(fb.Linear(2, 1, rng=0), fb.Sigmoid())
    with pytest.raises(fb.DomainError) as info:
        fb.SGD(net, fb.BCELoss(), X, y, batch_size=16, epochs=1, eps=0.1, seed=0, progress=False)
    message = str(info.value)
    assert message.startswith("SGD: stopped at epoch 1, batch 1/4: BCELoss.forward: targets y outside [0, 1]")
    assert "use (y + 1) / 2" in message and "learning rate" not in message


def test_sgd_on_logits_with_bce_says_predictions_outside_unit_interval():
    X, y = _binary_data()
    with pytest.raises(fb.DomainError) as info:
        fb.SGD(fb.Linear(2, 1, rng=0), fb.BCELoss(), X, (y + 1) / 2, batch_size=16, epochs=1, eps=0.1,
               seed=0, progress=False)
    message = str(info.value)
    assert "SGD: stopped at epoch 1, batch 1/4: BCELoss.forward: predictions yhat outside [0, 1]" in message
    assert "add a Sigmoid before the loss" in message and "learning rate" not in message


class _UncheckedBCE(fb.Loss):
    """A BCE as a student writes it: no clamping, no domain check (NaN on logits)."""

    def forward(self, y, yhat):
        return -(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum(axis=1)

    def backward(self, y, yhat):
        return (yhat - y) / (yhat * (1 - yhat))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_loss_from_predictions_outside_unit_interval_is_not_blamed_on_the_learning_rate():
    X, y = _binary_data()
    with pytest.raises(fb.DivergenceError) as info:
        fb.SGD(fb.Linear(2, 1, rng=0), _UncheckedBCE(), X, (y + 1) / 2, batch_size=16, epochs=1, eps=1e-3,
               seed=0, progress=False)
    message = str(info.value)
    assert message.startswith("SGD: the loss became nan at epoch 1, batch 1/4 with predictions outside "
                              "[0, 1]")
    assert "_UncheckedBCE needs probabilities; add a Sigmoid before the loss" in message
    assert "a smaller learning rate will not help" in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_genuine_divergence_on_01_targets_still_advises_a_smaller_learning_rate():
    X, y = _binary_data()
    net = fb.Sequential(fb.Linear(2, 8, rng=0), fb.ReLU(), fb.Linear(8, 1, rng=1))
    with pytest.raises(fb.DivergenceError) as info:
        fb.SGD(net, fb.MSELoss(), X, (y + 1) / 2, batch_size=16, epochs=50, eps=10.0, seed=0, progress=False)
    message = str(info.value)
    assert message.startswith("SGD: the loss became ")
    assert message.endswith("; try a smaller learning rate (lr=10)") and "[0, 1]" not in message
