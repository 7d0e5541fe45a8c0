"""Batch normalisation over the feature (last) axis."""

from __future__ import annotations

import numpy as np

from .._checks import ShapeError, check_bool, check_delta, check_int, check_real
from ..dtype import as_compute_dtype, parameter_dtype
from ..init import init_constant
from ..module import Module, Remembered

__all__ = ["BatchNorm1D"]


class BatchNorm1D(Module):
    """Normalise each feature with batch statistics, then scale and shift (``torch.nn.BatchNorm1d``).

    Training: ``mu = mean(X)``, ``var = mean((X - mu)^2)`` over every axis but the last,
    ``Xhat = (X - mu) / sqrt(var + eps)``, ``Y = gamma * Xhat + beta``; the running statistics
    move as ``running <- (1 - momentum) running + momentum stat``, with the UNBIASED variance
    ``var * m / (m - 1)`` (``m`` values per feature), as PyTorch. Evaluation uses the running
    statistics instead of the batch ones.

    Args:
        num_features: ``C``, size of the last axis.
        eps: added to the variance.
        momentum: weight of the new batch in the running statistics.
        affine: learn ``gamma`` (ones) and ``beta`` (zeros).
        dtype: parameter dtype (default: ``flambeau.get_default_dtype()``).

    Shape:
        X ``(batch, C)`` or ``(batch, length, C)`` (channels last) -> Y, same shape;
        ``gamma``, ``beta``, ``running_mean``, ``running_var`` ``(C,)``.

    Gradients (training, ``m`` values per feature, sums over the batch axes):
        ``dL/dgamma += sum(delta * Xhat)``, ``dL/dbeta += sum(delta)``,
        ``dL/dX = gamma / (m sqrt(var + eps)) * (m delta - sum(delta) - Xhat sum(delta Xhat))``;
        in evaluation ``dL/dX = delta * gamma / sqrt(running_var + eps)``.
    """

    _transient = {"_normalised_input": Remembered()}  # (Xhat, inv_std) of the last training forward

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, dtype=None):
        super().__init__()
        self.num_features = check_int("BatchNorm1D", "num_features", num_features)
        self.eps = check_real("BatchNorm1D", "eps", eps, 0, low_open=True)
        self.momentum = check_real("BatchNorm1D", "momentum", momentum, 0, 1)
        self.affine = check_bool("BatchNorm1D", "affine", affine)
        self.reset_parameters(dtype)

    def reset_parameters(self, dtype=None) -> None:
        """gamma = 1, beta = 0, running mean 0 and variance 1."""
        dtype, C, where = parameter_dtype(dtype, "BatchNorm1D"), self.num_features, "BatchNorm1D"
        self._parameters = ({"gamma": init_constant(1, (C,), dtype, where),
                             "beta": init_constant(0, (C,), dtype, where)} if self.affine else {})
        self._init_gradients()
        self._buffers = {"running_mean": init_constant(0, (C,), dtype, where),
                         "running_var": init_constant(1, (C,), dtype, where)}

    # -- helpers ---------------------------------------------------------------------------
    def _input(self, X, method: str) -> np.ndarray:
        where = f"BatchNorm1D.{method}"
        X = as_compute_dtype(X, self._buffers["running_mean"].dtype, where, "X" if method == "forward"
                             else "input")
        if X.ndim not in (2, 3) or X.shape[-1] != self.num_features:
            raise ShapeError(f"{where}: X must have shape (batch, {self.num_features}) or "
                             f"(batch, length, {self.num_features}), got {tuple(X.shape)}")
        return X

    def _batch_statistics(self, X):
        """``(Xhat, inv_std, mean, biased var)`` over every axis but the last."""
        axes = tuple(range(X.ndim - 1))
        mean = X.mean(axis=axes)
        centered = X - mean
        var = (centered * centered).mean(axis=axes)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        return centered * inv_std, inv_std, mean, var

    def _scale_shift(self, Xhat):
        if not self.affine:
            return Xhat
        return Xhat * self._parameters["gamma"] + self._parameters["beta"]

    def _normalised(self, input):
        """``(Xhat, inv_std)`` of ``input``: remembered by the last forward when possible."""
        remembered = self._normalised_input.recall(input)
        if remembered is not None:
            return remembered
        X = self._input(input, "backward")
        if self.training and X.size == 0:  # an empty batch has no statistics, and needs none
            return X, np.ones(self.num_features, X.dtype)
        if self.training:
            Xhat, inv_std, _, _ = self._batch_statistics(X)
            return Xhat, inv_std
        inv_std = 1.0 / np.sqrt(self._buffers["running_var"] + self.eps)
        return (X - self._buffers["running_mean"]) * inv_std, inv_std

    # -- passes ----------------------------------------------------------------------------
    def forward(self, X):
        given, X = X, self._input(X, "forward")
        if not self.training:
            self._normalised_input.forget()
            Xhat, _ = self._normalised(X)
            return self._scale_shift(Xhat)
        values_per_feature = X.size // self.num_features
        if values_per_feature == 0:  # an empty batch: empty output, statistics untouched (as PyTorch)
            return self._scale_shift(self._normalised_input.remember(given, self._normalised(X))[0])
        if values_per_feature < 2:
            raise ValueError(f"BatchNorm1D.forward: training needs more than one value per feature, "
                             f"got input shape {tuple(X.shape)}")
        Xhat, inv_std, mean, var = self._batch_statistics(X)
        m = self.momentum
        unbiased = var * (values_per_feature / (values_per_feature - 1))
        self._buffers["running_mean"] *= 1 - m
        self._buffers["running_mean"] += m * mean
        self._buffers["running_var"] *= 1 - m
        self._buffers["running_var"] += m * unbiased
        self._normalised_input.remember(given, (Xhat, inv_std))
        return self._scale_shift(Xhat)

    def backward_update_gradient(self, input, delta):
        Xhat, _ = self._normalised(input)
        delta = self._check_delta(delta, Xhat, "backward_update_gradient")
        if not self.affine:
            return
        axes = tuple(range(delta.ndim - 1))
        self._gradient["gamma"] += (delta * Xhat).sum(axis=axes)
        self._gradient["beta"] += delta.sum(axis=axes)

    def backward_delta(self, input, delta):
        Xhat, inv_std = self._normalised(input)
        delta = self._check_delta(delta, Xhat, "backward_delta")
        scale = inv_std * self._parameters["gamma"] if self.affine else inv_std
        if not self.training:
            return delta * scale
        axes = tuple(range(delta.ndim - 1))
        m = max(delta.size // self.num_features, 1)  # an empty batch: empty sums, no division by 0
        mean_delta = delta.sum(axis=axes) / m
        mean_delta_xhat = (delta * Xhat).sum(axis=axes) / m
        return scale * (delta - mean_delta - Xhat * mean_delta_xhat)

    @staticmethod
    def _check_delta(delta, Xhat, method) -> np.ndarray:
        return check_delta(f"BatchNorm1D.{method}", delta, Xhat.shape, Xhat.shape)

    def get_config(self) -> dict:
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum,
                "affine": self.affine}
