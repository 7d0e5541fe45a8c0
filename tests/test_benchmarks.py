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


def test_the_mlp_step_by_hand_is_flambeaus_step(rng):
    net = fb.Sequential(fb.Linear(784, 128, rng=0), fb.TanH(), fb.Linear(128, 10, rng=1))
    params = [net[i]._parameters[name].copy() for i in (0, 2) for name in ("W", "b")]
    grads = [np.zeros_like(p) for p in params]
    optim = fb.Optim(net, fb.CrossEntropyLoss(), 0.1)
    for _ in range(3):
        X, y = rng.standard_normal((16, 784)).astype(np.float32), rng.integers(0, 10, 16)
        assert abs(bench_mlp.mlp_step_by_hand(params, grads, X, y, 0.1) - optim.step(X, y)) < 1e-5
    ours = [net[i]._parameters[name] for i in (0, 2) for name in ("W", "b")]
    for mine, theirs in zip(params, ours, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    seconds, loss = bench_mlp.numpy_epoch(X, y, 4, seed=0)
    assert seconds > 0 and np.isfinite(loss)


def test_the_cnn_products_alone_run_on_the_cnn_shapes():
    assert bench_cnn.mnist_cnn_gemm_epoch(128) > 0


def test_the_conv1d_net_by_hand_computes_flambeaus_gradients(rng):
    from flambeau.models import course_conv1d_net

    X = rng.standard_normal((8, 256, 1)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    hand, net = bench_cnn.Conv1DByHand(X, y), course_conv1d_net(rng=0)
    conv, linear1, linear2 = net[0], net[3], net[5]
    for module, (W, b) in ((conv, hand.params[:2]), (linear1, hand.params[2:4]), (linear2, hand.params[4:])):
        module._parameters["W"][...] = W.reshape(module._parameters["W"].shape)
        module._parameters["b"][...] = b
    loss = hand.step(X[:, :, 0], y)
    optim = fb.Optim(net, fb.CrossEntropyLoss(), bench_cnn.LR)
    assert abs(optim.step(X, y) - loss) < 1e-5
    for module, (W, b) in ((conv, hand.params[:2]), (linear1, hand.params[2:4]), (linear2, hand.params[4:])):
        np.testing.assert_allclose(module._parameters["W"].reshape(W.shape), W, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(module._parameters["b"], b, rtol=1e-4, atol=1e-6)
