"""Typical student bugs, each one method of a correct module rewritten the wrong way.

Every ``Bug`` names the method at fault: the checker must name it among its failures. The correct
modules come from ``student_modules.py`` (dict parameters on ``flambeau.course``) and
``student_skeleton.py`` (the course's own skeleton: one array, plain base classes); a buggy class
derives from the correct one, so that it is compared with the library class of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tests.check import student_modules as s
from tests.check import student_skeleton as sk


@dataclass(frozen=True)
class Bug:
    """One buggy module (``shape``: its input) or loss (``data``: ``(y, yhat)`` kinds)."""

    name: str
    category: str
    method: str
    build: Callable[[], object]
    shape: tuple[int, ...] | None = None
    data: str | None = None


# -- Linear ----------------------------------------------------------------------------------------
class LinearDeltaNoTranspose(s.Linear):
    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"]


class LinearDeltaAddsBias(s.Linear):
    def backward_delta(self, input, delta):
        return delta @ self._parameters["W"].T + self._parameters["b"]  # copied from forward


class LinearGradNoTranspose(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += delta.T @ input
        self._gradient["b"] += delta.sum(axis=0)


class LinearGradOuterOfSums(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += np.outer(input.sum(axis=0), delta.sum(axis=0))  # not the sum of outers
        self._gradient["b"] += delta.sum(axis=0)


class LinearAssigns(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] = input.T @ delta
        self._gradient["b"] = delta.sum(axis=0)


class LinearAssignsBias(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] = delta.sum(axis=0)


class LinearAssignsInPlace(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"][...] = input.T @ delta
        self._gradient["b"][...] = delta.sum(axis=0)


class LinearBiasAveraged(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] += delta.mean(axis=0)


class LinearBiasFirstSample(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] += delta[0]


class LinearBiasWrongAxis(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta
        self._gradient["b"] += delta.sum(axis=1)


class LinearGradientOverBatch(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta / len(input)
        self._gradient["b"] += delta.sum(axis=0) / len(input)


class LinearWeightOverBatch(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta / len(input)
        self._gradient["b"] += delta.sum(axis=0)


class LinearForgetsBiasForward(s.Linear):
    def forward(self, X):
        return X @ self._parameters["W"]


class LinearForgetsBiasGradient(s.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += input.T @ delta


class LinearPlusUpdate(s.Linear):
    def update_parameters(self, gradient_step=1e-3):
        for name, param in self._parameters.items():
            param += gradient_step * self._gradient[name]


class LinearUpdateWithoutStep(s.Linear):
    def update_parameters(self, gradient_step=1e-3):
        for name, param in self._parameters.items():
            param -= self._gradient[name]


class LinearUpdatesWeightOnly(s.Linear):
    def update_parameters(self, gradient_step=1e-3):
        self._parameters["W"] -= gradient_step * self._gradient["W"]


class LinearUpdateFixedStep(s.Linear):
    def update_parameters(self, gradient_step=1e-3):
        for name, param in self._parameters.items():
            param -= 1e-3 * self._gradient[name]


class LinearZeroGradForgetsBias(s.Linear):
    def zero_grad(self):
        self._gradient["W"][...] = 0


class LinearZeroGradForgetsWeight(s.Linear):
    def zero_grad(self):
        self._gradient["b"][...] = 0


class LinearZeroGradDoesNothing(s.Linear):
    def zero_grad(self):
        pass


class LinearZeroGradWrongShape(s.Linear):
    def zero_grad(self):
        self._gradient = {"W": np.zeros(self._parameters["W"].shape[1]),
                          "b": np.zeros_like(self._parameters["b"])}


class LinearZeroGradNone(s.Linear):
    def zero_grad(self):
        self._gradient = {"W": None, "b": None}


class LinearCentersInputInPlace(s.Linear):
    def forward(self, X):
        X -= X.mean(axis=0)
        return super().forward(X)


class LinearScalesDeltaInPlace(s.Linear):
    def backward_update_gradient(self, input, delta):
        delta /= len(delta)
        super().backward_update_gradient(input, delta)


class LinearNotWrittenYet(s.Linear):
    def backward_delta(self, input, delta):
        raise NotImplementedError("backward_delta")


class LinearForgetsReturn(s.Linear):
    def forward(self, X):
        self.output = X @ self._parameters["W"] + self._parameters["b"]


class LinearDeltaForgetsReturn(s.Linear):
    def backward_delta(self, input, delta):
        self.delta = delta @ self._parameters["W"].T


# -- activations -------------------------------------------------------------------------------------
class TanHNoSquare(s.TanH):
    def backward_delta(self, input, delta):
        return delta * (1 - np.tanh(input))


class TanHDerivativeOfInput(s.TanH):
    def backward_delta(self, input, delta):
        return delta * (1 - input ** 2)


class TanHSignFlipped(s.TanH):
    def backward_delta(self, input, delta):
        return delta * (np.tanh(input) ** 2 - 1)


class TanHForgetsDelta(s.TanH):
    def backward_delta(self, input, delta):
        return 1 - np.tanh(input) ** 2


class TanHMutatesDelta(s.TanH):
    def backward_delta(self, input, delta):
        delta *= 1 - np.tanh(input) ** 2
        return delta


class TanHMutatesInput(s.TanH):
    def forward(self, X):
        np.tanh(X, out=X)
        return X


class TanHFirstOutput(s.TanH):
    """Keeps the output of its first forward: right alone, wrong behind another layer."""

    def forward(self, X):
        if not hasattr(self, "kept"):
            self.kept = np.tanh(X)
        return np.tanh(X)

    def backward_delta(self, input, delta):
        return delta * (1 - self.kept ** 2)


class SigmoideDerivativeOfInput(s.Sigmoide):
    def backward_delta(self, input, delta):
        return delta * input * (1 - input)


class SigmoideNoOneMinus(s.Sigmoide):
    def backward_delta(self, input, delta):
        return delta * self.forward(input)


class SigmoideWrongSign(s.Sigmoide):
    def forward(self, X):
        return 1 / (1 + np.exp(X))


class ReLUForgetsDelta(s.ReLU):
    def backward_delta(self, input, delta):
        return (input > 0).astype(float)


class ReLUTimesInput(s.ReLU):
    def backward_delta(self, input, delta):
        return delta * np.maximum(input, 0)


class ReLUMaskOfTheFirstCall(s.ReLU):
    def forward(self, X):
        if not hasattr(self, "mask"):
            self.mask = X > 0
        return super().forward(X)

    def backward_delta(self, input, delta):
        return delta * self.mask


class SoftmaxElementwise(s.Softmax):
    def backward_delta(self, input, delta):
        p = self.forward(input)
        return delta * p * (1 - p)


class SoftmaxWrongAxis(s.Softmax):
    def backward_delta(self, input, delta):
        p = self.forward(input)
        return p * (delta - (delta * p).sum(axis=0, keepdims=True))


class SoftmaxShiftsInPlace(s.Softmax):
    def forward(self, X):
        X -= X.max(axis=1, keepdims=True)
        e = np.exp(X)
        return e / e.sum(axis=1, keepdims=True)


class SoftmaxOverBatch(s.Softmax):
    def forward(self, X):
        e = np.exp(X - X.max())
        return e / e.sum(axis=0, keepdims=True)


class LogSoftmaxNoSum(s.LogSoftmax):
    def backward_delta(self, input, delta):
        return delta - np.exp(self.forward(input)) * delta


class LogSoftmaxElementwise(s.LogSoftmax):
    def backward_delta(self, input, delta):
        return delta * (1 - np.exp(self.forward(input)))


# -- Conv1D ------------------------------------------------------------------------------------------
class Conv1DDeltaNotAccumulated(s.Conv1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        grad[:, s._window_index(input.shape[1], self.k_size, self.stride)] = \
            np.einsum("bod,kcd->bokc", delta, self._parameters["W"])
        return grad


class Conv1DDeltaLoopOverwrites(s.Conv1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        for o in range(delta.shape[1]):
            start = o * self.stride
            grad[:, start:start + self.k_size] = np.einsum("bd,kcd->bkc", delta[:, o], self._parameters["W"])
        return grad


class Conv1DGradNotAccumulated(s.Conv1D):
    def backward_update_gradient(self, input, delta):
        windows = self.windows(input)
        for o in range(delta.shape[1]):  # '=' over the positions: only the last one stays
            self._gradient["W"] = np.einsum("bkc,bd->kcd", windows[:, o], delta[:, o])
        self._gradient["b"] += delta.sum(axis=(0, 1))


class Conv1DDeltaStrideIgnored(s.Conv1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        for j in range(self.k_size):
            grad[:, j:j + delta.shape[1]] += delta @ self._parameters["W"][j].T
        return grad


class Conv1DGradStrideIgnored(s.Conv1D):
    def backward_update_gradient(self, input, delta):
        out = delta.shape[1]
        for j in range(self.k_size):
            self._gradient["W"][j] += np.einsum("boc,bod->cd", input[:, j:j + out], delta)
        self._gradient["b"] += delta.sum(axis=(0, 1))


class Conv1DBiasPerPosition(s.Conv1D):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += np.einsum("bokc,bod->kcd", self.windows(input), delta)
        self._gradient["b"] += delta.sum(axis=0)


class Conv1DBiasAveraged(s.Conv1D):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] += np.einsum("bokc,bod->kcd", self.windows(input), delta)
        self._gradient["b"] += delta.mean(axis=(0, 1))


class Conv1DDeltaKernelNotTransposed(s.Conv1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        d_windows = np.einsum("bod,kdc->bokc", delta, self._parameters["W"])
        np.add.at(grad, (slice(None), s._window_index(input.shape[1], self.k_size, self.stride)), d_windows)
        return grad


class Conv1DFlippedKernel(s.Conv1D):
    def forward(self, X):
        flipped = self._parameters["W"][::-1]
        return np.einsum("bokc,kcd->bod", self.windows(X), flipped) + self._parameters["b"]


class Conv1DAssigns(s.Conv1D):
    def backward_update_gradient(self, input, delta):
        self._gradient["W"] = np.einsum("bokc,bod->kcd", self.windows(input), delta)
        self._gradient["b"] = delta.sum(axis=(0, 1))


# -- MaxPool1D ---------------------------------------------------------------------------------------
class MaxPoolWholeWindow(s.MaxPool1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        index = s._window_index(input.shape[1], self.k_size, self.stride)
        np.add.at(grad, (slice(None), index), np.repeat(delta[:, :, None, :], self.k_size, axis=2))
        return grad


class MaxPoolWindowAverage(s.MaxPool1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        index = s._window_index(input.shape[1], self.k_size, self.stride)
        spread = np.repeat(delta[:, :, None, :], self.k_size, axis=2) / self.k_size
        np.add.at(grad, (slice(None), index), spread)
        return grad


class MaxPoolOverwrites(s.MaxPool1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        batch, out, chan = np.indices(delta.shape)
        grad[batch, self.positions(input, self.stride), chan] = delta  # overlapping windows: '=' loses one
        return grad


class MaxPoolStrideIgnored(s.MaxPool1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        batch, out, chan = np.indices(delta.shape)
        positions = self.positions(input, 1)[:, :delta.shape[1]]
        np.add.at(grad, (batch, positions, chan), delta)
        return grad


class MaxPoolArgmaxOfWindowStart(s.MaxPool1D):
    def backward_delta(self, input, delta):
        grad = np.zeros_like(input, dtype=float)
        batch, out, chan = np.indices(delta.shape)
        index = s._window_index(input.shape[1], self.k_size, self.stride)
        best = input[:, index, :].argmax(axis=2)
        np.add.at(grad, (batch, best + out * 0, chan), delta)  # the offset in the window, not the position
        return grad


# -- losses -------------------------------------------------------------------------------------------
class MSESignFlipped(s.MSELoss):
    def backward(self, y, yhat):
        return 2 * (y - yhat)


class MSENoFactor(s.MSELoss):
    def backward(self, y, yhat):
        return yhat - y


class MSEOverBatch(s.MSELoss):
    def backward(self, y, yhat):
        return 2 * (yhat - y) / len(y)


class MSEMeanOverFeatures(s.MSELoss):
    def forward(self, y, yhat):
        return ((y - yhat) ** 2).mean(axis=1)


class MSEBatchMean(s.MSELoss):
    def forward(self, y, yhat):
        return ((y - yhat) ** 2).sum(axis=1).mean()


class MSEMutatesPredictions(s.MSELoss):
    def backward(self, y, yhat):
        yhat -= y
        return 2 * yhat


class BCESignFlipped(s.BCELoss):
    def backward(self, y, yhat):
        return (y - yhat) / (yhat * (1 - yhat))


class BCEGradientOfLogits(s.BCELoss):
    def backward(self, y, yhat):
        return yhat - y


class BCENegated(s.BCELoss):
    def forward(self, y, yhat):
        return (y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum(axis=1)


class BCEOneTerm(s.BCELoss):
    def forward(self, y, yhat):
        return -(y * np.log(yhat)).sum(axis=1)


class CEForgetsSoftmax(s.CELogSoftmax):
    def backward(self, y, yhat):
        return -y


class CEOverBatch(s.CELogSoftmax):
    def backward(self, y, yhat):
        return super().backward(y, yhat) / len(y)


class CESignFlipped(s.CELogSoftmax):
    def backward(self, y, yhat):
        return -super().backward(y, yhat)


class CEForgetsLogSumExp(s.CELogSoftmax):
    def forward(self, y, yhat):
        return -(y * yhat).sum(axis=1)


# -- the course skeleton (one array, plain base classes) -------------------------------------------------
class SkeletonAssigns(sk.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient = input.T @ delta


class SkeletonZeroGradOfTheBase(sk.Linear):
    zero_grad = sk.Module.zero_grad  # the skeleton's `pass`


class SkeletonPlusUpdate(sk.Linear):
    def update_parameters(self, gradient_step=1e-3):
        self._parameters += gradient_step * self._gradient


class SkeletonGradNoTranspose(sk.Linear):
    def backward_update_gradient(self, input, delta):
        self._gradient += (delta.T @ input).T[::-1]


class SkeletonTanHUpdateOfTheBase(sk.TanH):
    update_parameters = sk.Module.update_parameters  # None -= eps * None


class SkeletonMSEHalf(sk.MSELoss):
    def backward(self, y, yhat):
        return yhat - y


def _linear(cls, n_in=3, n_out=4):
    return lambda: cls(n_in, n_out)


_L = (6, 3)  # Linear(3, 4)'s input
_SQ = (6, 4)  # Linear(4, 4)'s input
_A = (5, 4)  # activations
_CONV = (4, 11, 2)  # Conv1D(3, 2, 4, stride) input

BUGS: tuple[Bug, ...] = (
    Bug("linear_delta_no_transpose_square", "missing transpose", "backward_delta",
        _linear(LinearDeltaNoTranspose, 4, 4), _SQ),
    Bug("linear_delta_no_transpose", "missing transpose", "backward_delta",
        _linear(LinearDeltaNoTranspose), _L),
    Bug("linear_delta_adds_bias", "wrong backward formula", "backward_delta",
        _linear(LinearDeltaAddsBias, 4, 4), _SQ),
    Bug("linear_grad_no_transpose_square", "missing transpose", "backward_update_gradient",
        _linear(LinearGradNoTranspose, 4, 4), _SQ),
    Bug("linear_grad_no_transpose", "missing transpose", "backward_update_gradient",
        _linear(LinearGradNoTranspose), _L),
    Bug("linear_grad_outer_of_sums", "gradient divided by the batch", "backward_update_gradient",
        _linear(LinearGradOuterOfSums), _L),
    Bug("skeleton_grad_no_transpose", "missing transpose", "backward_update_gradient",
        lambda: SkeletonGradNoTranspose(4, 4), _SQ),
    Bug("linear_assigns", "= for +=", "backward_update_gradient", _linear(LinearAssigns), _L),
    Bug("linear_assigns_bias", "= for +=", "backward_update_gradient", _linear(LinearAssignsBias), _L),
    Bug("linear_assigns_in_place", "= for +=", "backward_update_gradient", _linear(LinearAssignsInPlace), _L),
    Bug("conv1d_assigns", "= for +=", "backward_update_gradient", lambda: Conv1DAssigns(3, 2, 4, 2), _CONV),
    Bug("skeleton_assigns", "= for +=", "backward_update_gradient", lambda: SkeletonAssigns(3, 4), _L),
    Bug("linear_bias_averaged", "bias averaged or not summed", "backward_update_gradient",
        _linear(LinearBiasAveraged), _L),
    Bug("linear_bias_first_sample", "bias averaged or not summed", "backward_update_gradient",
        _linear(LinearBiasFirstSample), _L),
    Bug("linear_bias_wrong_axis", "bias averaged or not summed", "backward_update_gradient",
        _linear(LinearBiasWrongAxis), _L),
    Bug("conv1d_bias_per_position", "bias averaged or not summed", "backward_update_gradient",
        lambda: Conv1DBiasPerPosition(3, 2, 4, 1), _CONV),
    Bug("conv1d_bias_averaged", "bias averaged or not summed", "backward_update_gradient",
        lambda: Conv1DBiasAveraged(3, 2, 4, 1), _CONV),
    Bug("linear_gradient_over_batch", "gradient divided by the batch", "backward_update_gradient",
        _linear(LinearGradientOverBatch), _L),
    Bug("linear_weight_over_batch", "gradient divided by the batch", "backward_update_gradient",
        _linear(LinearWeightOverBatch), _L),
    Bug("linear_scales_delta_in_place", "gradient divided by the batch", "backward_update_gradient",
        _linear(LinearScalesDeltaInPlace), _L),
    Bug("linear_forgets_bias_forward", "forgotten bias", "forward", _linear(LinearForgetsBiasForward), _L),
    Bug("linear_forgets_bias_gradient", "forgotten bias", "backward_update_gradient",
        _linear(LinearForgetsBiasGradient), _L),
    Bug("linear_plus_update", "+ in the update", "update_parameters", _linear(LinearPlusUpdate), _L),
    Bug("linear_update_without_step", "+ in the update", "update_parameters",
        _linear(LinearUpdateWithoutStep), _L),
    Bug("linear_updates_weight_only", "+ in the update", "update_parameters",
        _linear(LinearUpdatesWeightOnly), _L),
    Bug("linear_update_fixed_step", "+ in the update", "update_parameters",
        _linear(LinearUpdateFixedStep), _L),
    Bug("skeleton_plus_update", "+ in the update", "update_parameters", lambda: SkeletonPlusUpdate(3, 4), _L),
    Bug("linear_zero_grad_forgets_bias", "zero_grad forgetting a gradient", "zero_grad",
        _linear(LinearZeroGradForgetsBias), _L),
    Bug("linear_zero_grad_forgets_weight", "zero_grad forgetting a gradient", "zero_grad",
        _linear(LinearZeroGradForgetsWeight), _L),
    Bug("linear_zero_grad_does_nothing", "zero_grad forgetting a gradient", "zero_grad",
        _linear(LinearZeroGradDoesNothing), _L),
    Bug("linear_zero_grad_wrong_shape", "zero_grad forgetting a gradient", "zero_grad",
        _linear(LinearZeroGradWrongShape), _L),
    Bug("linear_zero_grad_none", "zero_grad forgetting a gradient", "zero_grad",
        _linear(LinearZeroGradNone), _L),
    Bug("skeleton_zero_grad_of_the_base", "zero_grad forgetting a gradient", "zero_grad",
        lambda: SkeletonZeroGradOfTheBase(3, 4), _L),
    Bug("tanh_no_square", "wrong activation derivative", "backward_delta", TanHNoSquare, _A),
    Bug("tanh_derivative_of_input", "wrong activation derivative", "backward_delta",
        TanHDerivativeOfInput, _A),
    Bug("tanh_sign_flipped", "wrong activation derivative", "backward_delta", TanHSignFlipped, _A),
    Bug("tanh_forgets_delta", "wrong activation derivative", "backward_delta", TanHForgetsDelta, _A),
    Bug("sigmoide_derivative_of_input", "wrong activation derivative", "backward_delta",
        SigmoideDerivativeOfInput, _A),
    Bug("sigmoide_no_one_minus", "wrong activation derivative", "backward_delta", SigmoideNoOneMinus, _A),
    Bug("relu_forgets_delta", "wrong activation derivative", "backward_delta", ReLUForgetsDelta, _A),
    Bug("relu_times_input", "wrong activation derivative", "backward_delta", ReLUTimesInput, _A),
    Bug("log_softmax_no_sum", "wrong activation derivative", "backward_delta", LogSoftmaxNoSum, _A),
    Bug("log_softmax_elementwise", "element-wise softmax derivative", "backward_delta",
        LogSoftmaxElementwise, _A),
    Bug("softmax_elementwise", "element-wise softmax derivative", "backward_delta", SoftmaxElementwise, _A),
    Bug("softmax_wrong_axis", "element-wise softmax derivative", "backward_delta", SoftmaxWrongAxis, _A),
    Bug("sigmoide_wrong_sign", "wrong forward", "forward", SigmoideWrongSign, _A),
    Bug("softmax_over_batch", "wrong forward", "forward", SoftmaxOverBatch, _A),
    Bug("conv1d_flipped_kernel", "wrong forward", "forward", lambda: Conv1DFlippedKernel(3, 2, 4, 1), _CONV),
    Bug("linear_forgets_return", "wrong forward", "forward", _linear(LinearForgetsReturn), _L),
    Bug("linear_centers_input_in_place", "in-place mutation", "forward",
        _linear(LinearCentersInputInPlace), _L),
    Bug("tanh_mutates_input", "in-place mutation", "forward", TanHMutatesInput, _A),
    Bug("softmax_shifts_in_place", "in-place mutation", "forward", SoftmaxShiftsInPlace, _A),
    Bug("tanh_mutates_delta", "in-place mutation", "backward_delta", TanHMutatesDelta, _A),
    Bug("tanh_first_output", "right alone, wrong behind a layer", "backward_delta", TanHFirstOutput, _A),
    Bug("relu_mask_of_the_first_call", "right alone, wrong behind a layer", "backward_delta",
        ReLUMaskOfTheFirstCall, _A),
    Bug("linear_not_written_yet", "crash", "backward_delta", _linear(LinearNotWrittenYet), _L),
    Bug("linear_delta_forgets_return", "crash", "backward_delta", _linear(LinearDeltaForgetsReturn), _L),
    Bug("skeleton_tanh_update_of_the_base", "crash", "update_parameters", SkeletonTanHUpdateOfTheBase, _A),
    Bug("conv1d_delta_not_accumulated", "conv windows not accumulated", "backward_delta",
        lambda: Conv1DDeltaNotAccumulated(3, 2, 4, 1), _CONV),
    Bug("conv1d_delta_loop_overwrites", "conv windows not accumulated", "backward_delta",
        lambda: Conv1DDeltaLoopOverwrites(3, 2, 4, 2), _CONV),
    Bug("conv1d_grad_not_accumulated", "conv windows not accumulated", "backward_update_gradient",
        lambda: Conv1DGradNotAccumulated(3, 2, 4, 2), _CONV),
    Bug("conv1d_delta_stride_ignored", "stride ignored in backward", "backward_delta",
        lambda: Conv1DDeltaStrideIgnored(3, 2, 4, 2), _CONV),
    Bug("conv1d_grad_stride_ignored", "stride ignored in backward", "backward_update_gradient",
        lambda: Conv1DGradStrideIgnored(3, 2, 4, 2), _CONV),
    Bug("conv1d_delta_kernel_not_transposed", "missing transpose", "backward_delta",
        lambda: Conv1DDeltaKernelNotTransposed(3, 3, 3, 1), (4, 11, 3)),
    Bug("maxpool_stride_ignored", "stride ignored in backward", "backward_delta",
        lambda: MaxPoolStrideIgnored(2, 2), (4, 10, 3)),
    Bug("maxpool_stride_ignored_overlapping", "stride ignored in backward", "backward_delta",
        lambda: MaxPoolStrideIgnored(3, 2), (4, 11, 3)),
    Bug("maxpool_whole_window", "max-pool gradient to the whole window", "backward_delta",
        lambda: MaxPoolWholeWindow(2, 2), (4, 10, 3)),
    Bug("maxpool_whole_window_overlapping", "max-pool gradient to the whole window", "backward_delta",
        lambda: MaxPoolWholeWindow(3, 1), (4, 10, 3)),
    Bug("maxpool_window_average", "max-pool gradient to the whole window", "backward_delta",
        lambda: MaxPoolWindowAverage(2, 2), (4, 10, 3)),
    Bug("maxpool_overwrites", "conv windows not accumulated", "backward_delta",
        lambda: MaxPoolOverwrites(3, 1), (4, 10, 3)),
    Bug("maxpool_argmax_of_window_start", "max-pool gradient to the whole window", "backward_delta",
        lambda: MaxPoolArgmaxOfWindowStart(2, 2), (4, 10, 3)),
    Bug("mse_sign_flipped", "sign or factor in a loss", "backward", MSESignFlipped, data="real"),
    Bug("mse_no_factor", "sign or factor in a loss", "backward", MSENoFactor, data="real"),
    Bug("mse_over_batch", "sign or factor in a loss", "backward", MSEOverBatch, data="real"),
    Bug("mse_mean_over_features", "sign or factor in a loss", "forward", MSEMeanOverFeatures, data="real"),
    Bug("mse_batch_mean", "sign or factor in a loss", "forward", MSEBatchMean, data="real"),
    Bug("mse_mutates_predictions", "in-place mutation", "backward", MSEMutatesPredictions, data="real"),
    Bug("skeleton_mse_half", "sign or factor in a loss", "backward", SkeletonMSEHalf, data="real"),
    Bug("bce_sign_flipped", "sign or factor in a loss", "backward", BCESignFlipped, data="binary"),
    Bug("bce_gradient_of_logits", "sign or factor in a loss", "backward", BCEGradientOfLogits, data="binary"),
    Bug("bce_negated", "sign or factor in a loss", "forward", BCENegated, data="binary"),
    Bug("bce_one_term", "sign or factor in a loss", "forward", BCEOneTerm, data="binary"),
    Bug("ce_forgets_softmax", "sign or factor in a loss", "backward", CEForgetsSoftmax, data="onehot"),
    Bug("ce_over_batch", "sign or factor in a loss", "backward", CEOverBatch, data="onehot"),
    Bug("ce_sign_flipped", "sign or factor in a loss", "backward", CESignFlipped, data="onehot"),
    Bug("ce_forgets_log_sum_exp", "sign or factor in a loss", "forward", CEForgetsLogSumExp, data="onehot"),
)
"""Every bug of the suite."""


def draw_loss_data(kind: str, seed: int = 0, shape=(6, 4)):
    """``(y, yhat)``: real values, 0/1 targets and probabilities, or one-hot rows and logits."""
    rng = np.random.default_rng([seed, 12])
    if kind == "real":
        return rng.normal(size=shape), rng.normal(size=shape)
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(float), rng.uniform(0.05, 0.95, shape)
    return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])], rng.normal(size=shape)
