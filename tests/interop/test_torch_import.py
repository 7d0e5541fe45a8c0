"""from_torch: each supported torch.nn module, whole PyTorch networks, flags, dtypes and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fb
from flambeau.interop import UnsupportedModuleError, from_torch, to_torch
from tests.helpers import assert_close
from tests.helpers import torch as import_torch

TOL = {"rtol": 1e-5, "atol": 1e-5}

torch = import_torch()
nn = torch.nn


def _batchnorm(num_features: int, seed: int = 0) -> nn.BatchNorm1d:
    """A BatchNorm1d with non-trivial affine parameters and running statistics, in eval mode."""
    generator = torch.Generator().manual_seed(seed)
    module = nn.BatchNorm1d(num_features)
    with torch.no_grad():
        for tensor in (module.weight, module.running_var):
            tensor.copy_(0.5 + torch.rand(num_features, generator=generator))
        for tensor in (module.bias, module.running_mean):
            tensor.copy_(torch.randn(num_features, generator=generator))
    return module.eval()


def _seeded(build):
    def make():
        torch.manual_seed(0)
        return build()
    return make


#: (id, module factory, PyTorch input shape, input channels-first, output channels-first)
MODULE_CASES = [
    ("Linear", _seeded(lambda: nn.Linear(5, 3)), (4, 5), False, False),
    ("Linear-no-bias", _seeded(lambda: nn.Linear(5, 3, bias=False)), (4, 5), False, False),
    ("Identity", nn.Identity, (4, 6), False, False),
    ("Tanh", nn.Tanh, (4, 6), False, False),
    ("Sigmoid", nn.Sigmoid, (4, 6), False, False),
    ("ReLU", nn.ReLU, (4, 6), False, False),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.3), (4, 6), False, False),
    ("Softmax", lambda: nn.Softmax(dim=1), (4, 6), False, False),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=-1), (4, 6), False, False),
    ("Dropout-eval", lambda: nn.Dropout(0.4).eval(), (4, 6), False, False),
    ("Conv1d", _seeded(lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1)), (4, 2, 11), True, True),
    ("Conv2d", _seeded(lambda: nn.Conv2d(3, 5, (3, 2), stride=(2, 1), padding=(1, 0))), (4, 3, 9, 8),
     True, True),
    ("Conv2d-same", _seeded(lambda: nn.Conv2d(2, 3, 3, padding="same", bias=False)), (4, 2, 6, 5),
     True, True),
    ("MaxPool1d", lambda: nn.MaxPool1d(3, stride=2), (4, 3, 10), True, True),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), (4, 3, 6, 7), True, True),
    ("AvgPool1d", lambda: nn.AvgPool1d(2), (4, 3, 9), True, True),
    ("AvgPool2d", lambda: nn.AvgPool2d((2, 3), stride=1), (4, 3, 6, 7), True, True),
    ("BatchNorm1d-flat", lambda: _batchnorm(6), (8, 6), False, False),
    ("BatchNorm1d-sequence", lambda: _batchnorm(3), (8, 3, 5), True, True),
    ("Flatten", nn.Flatten, (4, 3, 5), False, False),
    ("Unflatten", lambda: nn.Unflatten(1, (4, 3)), (5, 12), False, False),
    ("Unflatten-one-channel", lambda: nn.Sequential(nn.Unflatten(1, (1, 12)), nn.MaxPool1d(2)), (5, 12),
     False, True),
]


def _inputs(shape, moved: bool):
    X = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    return X, (np.ascontiguousarray(np.moveaxis(X, 1, -1)) if moved else X)


def _check(module, shape, moved_in: bool, moved_out: bool, name: str):
    net = from_torch(module)
    X, ours = _inputs(shape, moved_in)
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    if moved_out:
        expected = np.moveaxis(expected, 1, -1)
    assert_close(net.forward(ours), expected, name, **TOL)
    return net


@pytest.mark.parametrize("case", MODULE_CASES, ids=[case[0] for case in MODULE_CASES])
def test_each_module_gives_the_same_output(case):
    name, build, shape, moved_in, moved_out = case
    net = _check(build(), shape, moved_in, moved_out, f"from_torch({name})")
    assert isinstance(net, fb.Sequential)


@pytest.mark.parametrize("case", MODULE_CASES, ids=[case[0] for case in MODULE_CASES])
def test_each_module_comes_back_with_the_same_weights(case):
    module = case[1]()
    again = to_torch(from_torch(module))
    ours = dict(module.state_dict())
    theirs = {k: v for k, v in again.state_dict().items() if not k.endswith("num_batches_tracked")}
    ours = {k: v for k, v in ours.items() if not k.endswith("num_batches_tracked")}
    assert [v.shape for v in ours.values()] == [v.shape for v in theirs.values()]
    for (name, a), b in zip(ours.items(), theirs.values(), strict=True):
        assert torch.equal(a, b), name


def test_a_pytorch_cnn_flattened_channels_first_keeps_its_logits():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8 * 7 * 7, 32), nn.ReLU(), nn.Linear(32, 10)).eval()
    net = _check(model, (6, 1, 16, 16), True, False, "the README's USPS CNN")
    assert [type(m).__name__ for m in net] == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Linear", "ReLU",
                                               "Linear"]


def test_batchnorm_between_flatten_and_linear_follows_the_feature_order():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.Flatten(), _batchnorm(3 * 6), nn.Tanh(), nn.Dropout(0.1),
                          nn.Linear(18, 4)).eval()
    _check(model, (5, 2, 8), True, False, "Flatten -> BatchNorm1d -> Linear")


def test_softmax_after_a_channels_first_flatten_needs_no_reordering():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.Flatten(), nn.Softmax(dim=1), nn.Linear(18, 2))
    _check(model, (5, 2, 8), True, False, "Flatten -> Softmax -> Linear")


def test_training_mode_batchnorm_matches_outputs_and_running_statistics():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), _batchnorm(6).train(), nn.ReLU())
    net = from_torch(model)
    assert net.training and net[1].training
    X = torch.randn(16, 4)
    out = model(X).detach().numpy()
    assert_close(net.forward(X.numpy()), out, "train mode", **TOL)
    assert_close(net[1].buffers()["running_mean"], model[1].running_mean.numpy(), "running_mean", **TOL)
    assert_close(net[1].buffers()["running_var"], model[1].running_var.numpy(), "running_var", **TOL)


def test_the_training_flag_follows_each_module():
    model = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Dropout(0.5), nn.ReLU()))
    model.eval()
    model[1][0].train()
    net = from_torch(model)
    assert [m.training for m in net.modules()] == [False, False, False, True, False]


def test_float64_modules_give_float64_layers():
    model = nn.Sequential(nn.Linear(3, 2)).double()
    net = from_torch(model)
    assert net.dtype == np.float64
    X = np.random.default_rng(0).standard_normal((4, 3))
    assert_close(net.forward(X), model(torch.from_numpy(X)).detach().numpy(), "float64", rtol=1e-12,
                 atol=1e-12)


@pytest.mark.parametrize("module, pattern", [
    (nn.Sequential(nn.Linear(3, 3), nn.GELU()), r"cannot convert 1 \(torch\.nn\.modules\.activation\.GELU\): "
                                                r"it has no flambeau counterpart\. Supported: .*Linear"),
    (nn.Conv2d(1, 2, 3, dilation=2), r"the model \(Conv2d\): dilation=\(2, 2\); flambeau's Conv2D has only "
                                     r"dilation=\(1, 1\)"),
    (nn.Conv1d(4, 4, 3, groups=2), r"groups=2; flambeau's Conv1D has only groups=1"),
    (nn.Conv2d(1, 2, 4, padding="same"), r"padding='same' with the even kernel \(4, 4\)"),
    (nn.MaxPool2d(2, ceil_mode=True), r"ceil_mode=True; flambeau's MaxPool2D has only ceil_mode=False"),
    (nn.AvgPool1d(3, padding=1), r"padding=\(1,\); flambeau's AvgPool1D has only padding=\(0,\)"),
    (nn.BatchNorm1d(3, momentum=None), r"momentum=None \(a cumulative average\)"),
    (nn.BatchNorm1d(3, track_running_stats=False), r"it keeps no running statistics"),
    (nn.Softmax(dim=0), r"dim=0: flambeau's Softmax normalises the last axis"),
    (nn.Flatten(0), r"start_dim=0, end_dim=-1"),
    (nn.Sequential(nn.Linear(2, 2).half()), r"its parameters are torch\.float16"),
    (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten()),
     r"the output of 1 \(Flatten\) is in PyTorch's \(channels, positions\) order, and no nn\.Linear follows"),
    (nn.Sequential(nn.Unflatten(1, (4, 3)), nn.Conv1d(4, 2, 2)),
     r"cannot convert 1 \(Conv1d\): it takes a channels-first feature map, but the tensor is channels-last "
     r"here \(after 0 \(Unflatten\)\)"),
    (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(7, 2)),
     r"cannot convert 2 \(Linear\): it takes 7 features, which cannot come from the 2-channel map that "
     r"1 \(Flatten\) flattens"),
    (nn.ModuleList([nn.Linear(2, 2)]), r"a list of modules is not a computation"),
], ids=["GELU", "dilation", "groups", "same-even", "ceil_mode", "pool-padding", "momentum-None",
        "no-running-stats", "softmax-dim", "flatten-start", "half", "flatten-last", "channels-last-conv",
        "bad-features", "ModuleList"])
def test_what_flambeau_lacks_is_named(module, pattern):
    with pytest.raises(UnsupportedModuleError, match=r"^from_torch: .*" + pattern):
        from_torch(module)


def test_a_subclass_of_a_torch_module_is_refused():
    class Doubled(nn.Linear):
        def forward(self, x):
            return 2 * super().forward(x)

    with pytest.raises(UnsupportedModuleError, match=r"it subclasses Linear, and a subclass may compute"):
        from_torch(nn.Sequential(Doubled(2, 2)))


def test_not_a_torch_module():
    with pytest.raises(TypeError, match=r"^from_torch: module must be a torch\.nn\.Module, got Linear$"):
        from_torch(fb.Linear(2, 2))
