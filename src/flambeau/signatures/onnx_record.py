"""Record the hidden activations of an ONNX model with onnxruntime (``flambeau[onnx]``).

ONNX files are protocol buffers (never pickles): the graph is read, the outputs of the chosen
nodes are added to the graph's outputs, and one inference session returns them along with the
model's own output. PyTorch (``torch.onnx.export``) and Keras both export to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._inputs import check_input_shape
from ._optional import require
from ._selection import choose_layers
from .spatial import check_spatial, reduce_spatial

__all__ = ["ACTIVATION_OPS", "OnnxModel", "record_onnx"]

WHERE = "record_onnx"
ACTIVATION_OPS = ("Celu", "Elu", "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "LogSoftmax", "Mish",
                  "PRelu", "Relu", "Selu", "Sigmoid", "Softmax", "Softplus", "Softsign", "Tanh",
                  "ThresholdedRelu")


def _load(path, onnx):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{WHERE}: no model file {str(path)!r}")
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as error:  # protobuf's DecodeError, onnx's ValidationError...
        detail = (str(error).strip().splitlines() or ["unreadable"])[0]
        raise ValueError(f"{WHERE}: {path.name} is not an ONNX model "
                         f"({type(error).__name__}: {detail})") from None
    if not model.graph.node or not model.graph.output:
        raise ValueError(f"{WHERE}: {path.name} is not an ONNX model (its graph has no nodes or no output)")
    return model


class OnnxModel:
    """An ONNX file ready to predict and record (one input, first output = the model's output).

    Args:
        path: the ``.onnx`` file.
        layers: node names (or their output names) to record; default: the output of every
            activation node (``ACTIVATION_OPS``: Relu, Tanh, Sigmoid, Softmax...).
        spatial: reduction of feature maps ``(n, c, *positions)`` (channels-first, as ONNX
            convolutions are): ``"mean"`` (default), ``"max"`` or ``"flatten"``.

    Attributes:
        layers: the recorded node names, in graph order.
        input_name: the graph input fed with ``X``; ``input_shape``: its shape, ``None`` for a
            free axis (usually the batch).
    """

    def __init__(self, path, layers=None, spatial: str = "mean"):
        onnx = require("onnx", "onnx", WHERE)
        ort = require("onnxruntime", "onnx", WHERE)
        self.spatial = check_spatial(WHERE, spatial)
        self.path = Path(path)
        model = _load(path, onnx)
        graph = model.graph
        names = {node.name or node.output[0]: node for node in graph.node}
        by_output = {node.output[0]: name for name, node in names.items()}
        default = [name for name, node in names.items() if node.op_type in ACTIVATION_OPS]
        wanted = None if layers is None else [by_output.get(str(name), str(name)) for name in layers]
        self.layers = choose_layers(WHERE, list(names), wanted, default)
        self._outputs = [names[name].output[0] for name in self.layers]
        self._add_outputs(model, onnx)
        self._session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        inputs = self._session.get_inputs()
        if len(inputs) != 1:
            raise ValueError(f"{WHERE}: {self.path.name} must take one input, it takes {len(inputs)}")
        self.input_name = inputs[0].name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inputs[0].shape)
        self._output_name = graph.output[0].name

    def _add_outputs(self, model, onnx) -> None:
        """Expose each recorded node's output as a graph output (its type from shape inference)."""
        inferred = onnx.shape_inference.infer_shapes(model)
        types = {v.name: v.type.tensor_type.elem_type for v in inferred.graph.value_info}
        present = {out.name for out in model.graph.output}
        for name in self._outputs:
            if name not in present:
                elem = types.get(name) or onnx.TensorProto.FLOAT
                model.graph.output.append(onnx.helper.make_tensor_value_info(name, elem, None))

    def check_input(self, X: np.ndarray) -> None:
        """``ValueError`` naming the expected input when ``X`` does not fit it."""
        check_input_shape(WHERE, f"{self.path.name} expects input {self.input_name!r}", self.input_shape, X)

    def run(self, X, batch_size: int = 256) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``(model output (n, ...), {layer: (n, features) float32})`` for the inputs ``X``."""
        X = np.asarray(X, dtype=np.float32)
        self.check_input(X)
        fixed = self.input_shape[0]
        step = fixed or batch_size
        names = [self._output_name, *self._outputs]
        chunks: list[list[np.ndarray]] = [[] for _ in names]
        for start in range(0, len(X), step):
            batch = X[start:start + step]
            if fixed and len(batch) < fixed:  # a fixed batch axis: pad the last batch, drop the padding
                batch = np.concatenate([batch, np.zeros((fixed - len(batch), *batch.shape[1:]), batch.dtype)])
            results = self._session.run(names, {self.input_name: batch})
            for store, result in zip(chunks, results, strict=True):
                store.append(result[:min(step, len(X) - start)])
        output, *acts = (np.concatenate(store) for store in chunks)
        return output, {name: reduce_spatial(a, self.spatial, channels_last=False).astype(np.float32)
                        for name, a in zip(self.layers, acts, strict=True)}

    def predict(self, X, batch_size: int = 256) -> np.ndarray:
        """The model's output ``(n, ...)`` (its first graph output)."""
        return self.run(X, batch_size)[0]

    def record(self, X, batch_size: int = 256) -> dict[str, np.ndarray]:
        """``{layer: (n, features) float32}`` for the inputs ``X``."""
        return self.run(X, batch_size)[1]


def record_onnx(path, X, layers=None, batch_size: int = 256, spatial: str = "mean") -> dict[str, np.ndarray]:
    """Outputs of the chosen nodes of the ONNX model in ``path`` for the inputs ``X``.

    Args:
        path: a ``.onnx`` file (``torch.onnx.export``, ``keras`` / ``tf2onnx`` exports...).
        X: inputs ``(n, ...)`` as the model takes them.
        layers: node names or node output names; default: the output of every activation node.
        batch_size: samples per run (a model exported with a fixed batch axis runs that many).
        spatial: ``"mean"`` (default), ``"max"`` or ``"flatten"``.

    Returns:
        ``{node name: (n, features) float32 array}`` in graph order.
    """
    return OnnxModel(path, layers, spatial).record(X, batch_size)
