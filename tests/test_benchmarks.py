"""The hand-written references of ``benchmarks/`` compute what flambeau computes (a floor that
skipped work would make the comparison meaningless)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_adam  # noqa: E402
import bench_cnn  # noqa: E402
import bench_mlp  # noqa: E402

import flambeau as fb  # noqa: E402
from flambeau.rules import Adam  # noqa: E402


def test_adam_by_hand_is_flambeaus_adam(rng):
    params = {"W": rng.standard_normal((30, 7), dtype=np.float32),
              "b": rng.standard_normal(7, dtype=np.float32)}
    ours, rule = {k: v.copy() for k, v in params.items()}, Adam()
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    for t in range(1, 6):
        grads = {k: rng.standard_normal(v.shape, dtype=np.float32) for k, v in params.items()}
        rule.step(ours, grads, 1e-2)
        for k, p in params.items():
            bench_adam.adam_by_hand(p, grads[k], *state[k], np.empty_like(p), t, lr=1e-2)
    for k in params:
        assert params[k].dtype == np.float32
        np.testing.assert_allclose(params[k], ours[k], rtol=1e-6, atol=1e-7)


def test_the_mlp_epoch_by_hand_learns_as_flambeaus(rng):
    centres = rng.standard_normal((10, 784)).astype(np.float32)
    y = rng.integers(0, 10, 2048)
    X = (centres[y] + 0.5 * rng.standard_normal((2048, 784))).astype(np.float32)
    _, loss_by_hand = bench_mlp.numpy_epoch(X, y, 64, seed=0)
    net = fb.Sequential(fb.Linear(784, 128, rng=0), fb.TanH(), fb.Linear(128, 10, rng=1))
    history = fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=64, epochs=1, lr=0.01, seed=0,
                     progress=False)
    # both learn the ten classes within the epoch (chance: log 10 = 2.3): the last batch's loss by
    # hand, the epoch's mean loss for flambeau
    assert loss_by_hand < 0.1 and history["train_loss"][-1] < 0.5 * np.log(10)


def test_the_cnn_products_alone_run_on_the_cnn_shapes():
    assert bench_cnn.mnist_cnn_gemm_epoch(128) > 0
