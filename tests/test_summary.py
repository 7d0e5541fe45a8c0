"""``Module.summary``: per-layer shapes of nested containers and autoencoders, parameter counts equal
to PyTorch's for the reference architectures, no trace left on the network, input_shape errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from flambeau.models import course_conv1d_net, course_hv_conv1d_net, mnist_cnn
from tests.helpers import torch

_ROW = re.compile(r"^( *)(\S+) \((\w+)[^)]*\)\s+(\(batch[^)]*\))\s+([\d,]+)$")


def rows(table: str) -> list[tuple[int, str, str, str, int]]:
    """``(depth, path, class, output shape, parameters)`` for each layer row of a summary."""
    found = []
    for line in table.splitlines():
        match = _ROW.match(line)
        if match:
            indent, path, kind, shape, count = match.groups()
            found.append((len(indent) // 2, path, kind, shape, int(count.replace(",", ""))))
    return found


def totals(table: str) -> tuple[int, int]:
    total = re.search(r"^Total parameters: ([\d,]+)$", table, re.M).group(1)
    trainable = re.search(r"^Trainable parameters: ([\d,]+)$", table, re.M).group(1)
    return int(total.replace(",", "")), int(trainable.replace(",", ""))


def leaf_counts(table: str) -> list[int]:
    """Parameter counts of the parametric leaves, in order (containers' subtotals left out)."""
    found = rows(table)
    paths = [r[1] for r in found]
    leaves = [r for r in found if not any(p.startswith(r[1] + ".") for p in paths)]
    return [r[4] for r in leaves if r[4]]


def torch_counts(module) -> tuple[list[int], int]:
    """Per parametric leaf (own parameters) and total ``sum(p.numel())`` of a torch module."""
    leaves = [sum(p.numel() for p in m.parameters(recurse=False)) for m in module.modules()]
    return [c for c in leaves if c], sum(p.numel() for p in module.parameters())


def test_prints_and_returns_the_same_table(capsys):
    table = fb.Linear(3, 2).summary((3,))
    assert capsys.readouterr().out == table + "\n"
    assert table.splitlines()[0] == "Linear on inputs (batch, 3) float32"
    assert rows(table) == [] and "Linear        (batch, 2)          8" in table and totals(table) == (8, 8)


def test_nested_containers_show_each_leaf_shape_indented_by_depth():
    table = course_hv_conv1d_net(rng=0).summary((256,))
    assert [r[:4] for r in rows(table)] == [
        (0, "0", "Concat", "(batch, 254, 32)"),
        (1, "0.0", "Sequential", "(batch, 254, 16)"),
        (2, "0.0.0", "Reshape", "(batch, 256, 1)"), (2, "0.0.1", "Conv1D", "(batch, 254, 16)"),
        (1, "0.1", "Sequential", "(batch, 254, 16)"),
        (2, "0.1.0", "Reshape", "(batch, 16, 16, 1)"), (2, "0.1.1", "Transpose2D", "(batch, 16, 16, 1)"),
        (2, "0.1.2", "Reshape", "(batch, 256, 1)"), (2, "0.1.3", "Conv1D", "(batch, 254, 16)"),
        (0, "1", "MaxPool1D", "(batch, 127, 32)"), (0, "2", "Flatten", "(batch, 4064)"),
        (0, "3", "Linear", "(batch, 100)"), (0, "4", "ReLU", "(batch, 100)"),
        (0, "5", "Linear", "(batch, 10)")]
    assert rows(table)[0][4] == 128  # a container's row: the parameters of everything under it


def test_cnn_shapes_on_channels_last_images():
    found = rows(mnist_cnn(rng=0).summary((28, 28, 1)))
    assert [r[3] for r in found] == ["(batch, 28, 28, 16)", "(batch, 28, 28, 16)", "(batch, 14, 14, 16)",
                                     "(batch, 14, 14, 32)", "(batch, 14, 14, 32)", "(batch, 7, 7, 32)",
                                     "(batch, 1568)", "(batch, 10)"]


def test_parameter_counts_equal_pytorch_for_the_reference_cnns():
    nn = torch().nn
    references = {
        course_conv1d_net: ((256, 1), nn.Sequential(nn.Conv1d(1, 32, 3), nn.MaxPool1d(2), nn.Flatten(),
                                                    nn.Linear(4064, 100), nn.ReLU(), nn.Linear(100, 10))),
        course_hv_conv1d_net: ((256,), nn.Sequential(nn.Conv1d(1, 16, 3), nn.Conv1d(1, 16, 3),
                                                     nn.MaxPool1d(2), nn.Flatten(), nn.Linear(4064, 100),
                                                     nn.ReLU(), nn.Linear(100, 10))),
        mnist_cnn: ((28, 28, 1), nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                               nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                               nn.Flatten(), nn.Linear(1568, 10))),
    }
    for builder, (input_shape, reference) in references.items():
        table = builder(rng=0).summary(input_shape)
        per_leaf, total = torch_counts(reference)
        assert leaf_counts(table) == per_leaf, builder.__name__
        assert totals(table) == (total, total), builder.__name__


def torch_tied_autoencoder(sizes):
    """Encoder Linears and one bias per decoder layer (the decoder reads the encoder's weights
    transposed): the parameters of a tied PyTorch autoencoder."""
    nn = torch().nn
    module = nn.Module()
    module.encoder = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False))
    module.decoder_bias = nn.ParameterList(nn.Parameter(torch().zeros(a)) for a in reversed(sizes[:-1]))
    return module


def test_tied_autoencoder_counts_the_shared_weight_once_as_pytorch():
    ae = fb.AutoEncoder.symmetric(784, 30, hidden=[264, 88], tied=True, rng=0)
    table = ae.summary((784,))
    reference = torch_tied_autoencoder([784, 264, 88, 30])
    assert totals(table)[0] == sum(p.numel() for p in reference.parameters()) == 234_366
    decoder = [r for r in rows(table) if r[1].startswith("decoder.")]
    assert [(r[2], r[3], r[4]) for r in decoder if r[2] == "TiedLinear"] == [
        ("TiedLinear", "(batch, 88)", 88), ("TiedLinear", "(batch, 264)", 264),
        ("TiedLinear", "(batch, 784)", 784)]
    assert "decoder.0 (TiedLinear, weight of encoder.4)" in table
    assert rows(table)[-1][3] == "(batch, 784)"


def _state(net):
    """Everything a dry pass could disturb: flags, arrays (values and identity), caches, RNG states."""
    modules = list(net.modules())
    return {"training": [m.training for m in modules],
            "arrays": {k: (id(v), v.copy()) for k, v in {**net.parameters(), **net.buffers()}.items()},
            "caches": [(id(m._forward_inputs.key), id(m._forward_inputs.value)) for m in modules
                       if isinstance(m, fb.Sequential)],
            "masks": [id(m._scaled_mask) for m in modules if isinstance(m, fb.Dropout)],
            "rng": [m.rng.bit_generator.state for m in modules if isinstance(m, fb.Dropout)]}


def test_dry_pass_leaves_no_trace():
    net = fb.Sequential(fb.Linear(4, 8, rng=0), fb.BatchNorm1D(8), fb.Dropout(0.5, rng=1),
                        fb.Sequential(fb.Linear(8, 3, rng=2), fb.TanH()))
    X = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    net.forward(X)  # training mode: caches filled, running statistics moved, a mask drawn
    net[3].eval()  # a mixed state must come back as it was, module by module
    before = _state(net)
    net.summary((4,))
    after = _state(net)
    assert after["training"] == before["training"] == [True, True, True, True, False, False, False]
    assert after["caches"] == before["caches"] and after["masks"] == before["masks"]
    assert after["rng"] == before["rng"]
    for name, (identity, value) in before["arrays"].items():
        assert after["arrays"][name][0] == identity
        np.testing.assert_array_equal(after["arrays"][name][1], value)
    net.backward_delta(X, np.ones((16, 3), dtype=np.float32))  # the training caches still answer


def test_buffers_are_reported_apart_from_the_parameters():
    table = fb.Sequential(fb.Linear(4, 8), fb.BatchNorm1D(8)).summary((4,))
    assert totals(table) == (56, 56) and "Buffers (running statistics, not trained): 16" in table


@pytest.mark.parametrize("bad", [None, (), (0,), (28, -1), (2.5,), "784", (True,)])
def test_input_shape_must_be_one_sample_shape(bad):
    with pytest.raises(ShapeError, match=r"Sequential.summary: input_shape must be a tuple of positive ints, "
                                         r"the shape of one sample without the batch axis"):
        fb.Sequential(fb.Linear(4, 2)).summary(bad)


def test_wrong_input_shape_says_the_batch_axis_is_excluded():
    with pytest.raises(ShapeError, match=r"Sequential.summary: the dry forward pass on inputs "
                                         r"\(batch, 2, 4\) \(input_shape excludes the batch axis\) "
                                         r"failed: Linear.forward"):
        fb.Sequential(fb.Linear(4, 2)).summary((2, 4))


def test_readme_example_is_what_summary_prints():
    from tests.helpers import REPO
    table = fb.Sequential(fb.Linear(256, 100), fb.TanH(), fb.Linear(100, 10)).summary((256,))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "\n".join("  " + line for line in table.splitlines()) in readme
