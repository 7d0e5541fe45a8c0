"""Correct modules and losses as a student writes them for the course, on ``flambeau.course``'s
``Module`` and ``Loss`` (dict parameters ``W`` and ``b``): the checker must pass every one, and
``buggy_modules.py`` derives each typical bug from them by overriding one method."""

import numpy as np

from flambeau.course import Loss, Module


class Linear(Module):
    def __init__(self, input, output, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self._parameters = {"W": rng.normal(0, 1 / np.sqrt(input), (input, output)),
                            "b": rng.normal(0, 0.5, output)}
        self.zero_grad_arrays()

    def zero_grad_arrays(self):
        self._gradient = {name: np.zeros_like(p) for name, p in self._parameters.items()}

    def zero_grad(self):
        for grad in self._gradient.values():
            grad[...] = 0

    def forward(self, X):
        return X @ self._parameters["W"] + self._parameters["b"]

    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] += delta.sum(axis=0)

    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"].T

    def update_parameters(self, gradient_step=1e-3):
        for name, param in self._parameters.items():
            param -= gradient_step * self._gradient[name]


class TanH(Module):
    def forward(self, X):
        return np.tanh(X)

    def backward_delta(self, input, delta):
        return delta * (1 - np.tanh(input) ** 2)


class Sigmoide(Module):
    def forward(self, X):
        return 1 / (1 + np.exp(-X))

    def backward_delta(self, input, delta):
        s = self.forward(input)
        return delta * s * (1 - s)


class ReLU(Module):
    def forward(self, X):
        return np.maximum(X, 0)

    def backward_delta(self, input, delta):
        return delta * (input > 0)


class Softmax(Module):
    def forward(self, X):
        e = np.exp(X - X.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def backward_delta(self, input, delta):
        s = self.forward(input)
        return s * (delta - (delta * s).sum(axis=1, keepdims=True))


class LogSoftmax(Module):
    def forward(self, X):
        shifted = X - X.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def backward_delta(self, input, delta):
        s = np.exp(self.forward(input))
        return delta - s * delta.sum(axis=1, keepdims=True)


def _window_index(length, k_size, stride):
    """(out, k): the input positions of each window."""
    out = (length - k_size) // stride + 1
    return np.arange(out)[:, None] * stride + np.arange(k_size)[None, :]


class Conv1D(Module):
    """Inputs (batch, length, chan_in) -> (batch, (length - k_size) // stride + 1, chan_out)."""

    def __init__(self, k_size, chan_in, chan_out, stride=1, seed=0):
        super().__init__()
        self.k_size, self.chan_in, self.chan_out, self.stride = k_size, chan_in, chan_out, stride
        rng = np.random.default_rng(seed)
        self._parameters = {"W": rng.normal(0, 1 / np.sqrt(k_size * chan_in), (k_size, chan_in, chan_out)),
                            "b": rng.normal(0, 0.5, chan_out)}
        self._gradient = {name: np.zeros_like(p) for name, p in self._parameters.items()}

    def windows(self, X):
        return X[:, _window_index(X.shape[1], self.k_size, self.stride), :]  # (batch, out, k, chan_in)

    def forward(self, X):
        return np.einsum("bokc,kcd->bod", self.windows(X), self._parameters["W"]) + self._parameters["b"]

    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += np.einsum("bokc,bod->kcd", self.windows(input), delta)
        self._gradient["b"] += delta.sum(axis=(0, 1))

    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        d_windows = np.einsum("bod,kcd->bokc", delta, self._parameters["W"])
        np.add.at(grad, (slice(None), _window_index(input.shape[1], self.k_size, self.stride)), d_windows)
        return grad


class MaxPool1D(Module):
    def __init__(self, k_size, stride):
        super().__init__()
        self.k_size, self.stride = k_size, stride

    def forward(self, X):
        return X[:, _window_index(X.shape[1], self.k_size, self.stride), :].max(axis=2)

    def positions(self, input, stride):
        """(batch, out, chan): the input position of each window's maximum."""
        index = _window_index(input.shape[1], self.k_size, stride)
        best = input[:, index, :].argmax(axis=2)
        return index[np.arange(index.shape[0])[None, :, None], best]

    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        batch, out, chan = np.indices(delta.shape)
        np.add.at(grad, (batch, self.positions(input, self.stride), chan), delta)
        return grad


class Flatten(Module):
    def forward(self, X):
        return X.reshape(len(X), -1)

    def backward_delta(self, input, delta):
        return delta.reshape(input.shape)


class MSELoss(Loss):
    def forward(self, y, yhat):
        return ((y - yhat) ** 2).sum(axis=1)

    def backward(self, y, yhat):
        return 2 * (yhat - y)


class BCELoss(Loss):
    def forward(self, y, yhat):
        return -(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum(axis=1)

    def backward(self, y, yhat):
        return (yhat - y) / (yhat * (1 - yhat))


class CELogSoftmax(Loss):
    """One-hot targets, logits."""

    def forward(self, y, yhat):
        top = yhat.max(axis=1, keepdims=True)
        return (np.log(np.exp(yhat - top).sum(axis=1, keepdims=True)) + top)[:, 0] - (y * yhat).sum(axis=1)

    def backward(self, y, yhat):
        e = np.exp(yhat - yhat.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True) - y
