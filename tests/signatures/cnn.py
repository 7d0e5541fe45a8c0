"""One small CNN four ways: a PyTorch module, its ONNX export, Keras 3 and flambeau with the same
weights. conv 3x3 (4 filters) + ReLU + max-pool 2 + dense 8 + ReLU + dense 3, on 8x8 images.

PyTorch and ONNX are channels-first (n, 1, 8, 8), Keras and flambeau channels-last (n, 8, 8, 1):
the kernels are transposed and the first dense layer's rows reordered from (c, h, w) to (h, w, c).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

import flambeau as fb

SIZE, FILTERS, POOLED, HIDDEN, CLASSES = 8, 4, 3, 8, 3


def images(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X (n, 8, 8) float32, y (n,))``: three noisy templates (a bar, a cross, a square)."""
    rng = np.random.default_rng(seed)
    templates = np.zeros((CLASSES, SIZE, SIZE), np.float32)
    templates[0, :, 3:5] = 1
    templates[1, 3:5, :], templates[1, :, 3:5] = 1, 1
    templates[2, 1:7, 1:7], templates[2, 2:6, 2:6] = 1, 0
    y = np.repeat(np.arange(CLASSES), n_per_class)
    X = templates[y] + rng.normal(0, 0.3, (len(y), SIZE, SIZE)).astype(np.float32)
    return X.astype(np.float32), y


def torch_cnn(torch, seed: int = 0):
    nn = torch.nn
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(1, FILTERS, 3), relu1=nn.ReLU(), pool=nn.MaxPool2d(2), flatten=nn.Flatten(),
        dense=nn.Linear(FILTERS * POOLED * POOLED, HIDDEN), relu2=nn.ReLU(), out=nn.Linear(HIDDEN, CLASSES)))


def export_onnx(torch, model, path) -> None:
    example = torch.zeros(2, 1, SIZE, SIZE)
    torch.onnx.export(model, (example,), str(path), input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)


def channels_last_weights(model) -> dict[str, np.ndarray]:
    """The torch weights in channels-last layout: conv (kh, kw, c_in, c_out), dense (d_in, d_out)."""
    w = {name: p.detach().numpy().astype(np.float32) for name, p in model.named_parameters()}
    dense = w["dense.weight"].reshape(HIDDEN, FILTERS, POOLED, POOLED).transpose(2, 3, 1, 0)
    return {"conv_W": w["conv.weight"].transpose(2, 3, 1, 0), "conv_b": w["conv.bias"],
            "dense_W": dense.reshape(-1, HIDDEN), "dense_b": w["dense.bias"],
            "out_W": w["out.weight"].T, "out_b": w["out.bias"]}


def keras_cnn(keras, weights: dict[str, np.ndarray]):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((SIZE, SIZE, 1)), layers.Conv2D(FILTERS, 3, activation="relu", name="conv"),
        layers.MaxPooling2D(2, name="pool"), layers.Flatten(name="flatten"),
        layers.Dense(HIDDEN, activation="relu", name="dense"), layers.Dense(CLASSES, name="out")])
    for name in ("conv", "dense", "out"):
        model.get_layer(name).set_weights([weights[f"{name}_W"], weights[f"{name}_b"]])
    return model


def flambeau_cnn(weights: dict[str, np.ndarray]) -> fb.Sequential:
    net = fb.Sequential(fb.Conv2D(3, 1, FILTERS), fb.ReLU(), fb.MaxPool2D(2), fb.Flatten(),
                        fb.Linear(FILTERS * POOLED * POOLED, HIDDEN), fb.ReLU(), fb.Linear(HIDDEN, CLASSES))
    for index, name in ((0, "conv"), (4, "dense"), (6, "out")):
        net[index]._parameters["W"][...] = weights[f"{name}_W"]
        net[index]._parameters["b"][...] = weights[f"{name}_b"]
    return net
