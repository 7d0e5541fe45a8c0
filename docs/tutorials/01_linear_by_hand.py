# %% [markdown]
# # 1. Linear regression and classification by hand
#
# The course starts with one `Linear` module, one loss and a training loop written out in full:
# forward pass, loss, gradient of the loss, backward pass, update. This tutorial does exactly
# that, first for a regression, then for a classification of the course's artificial data
# (`gen_arti`), and ends with the decision boundary.
#
# Everything comes from the course's dialect: `from flambeau.course import *` gives the classes
# students write (`Module`, `Linear`, `MSELoss`, `TanH`, `Sequentiel`...) and the course's
# `mltools` helpers (`gen_arti`, `plot_data`, `plot_frontiere`).

# %%
import matplotlib.pyplot as plt
import numpy as np

import flambeau
from flambeau.course import *

flambeau.manual_seed(0)  # gen_arti and the initial weights draw from flambeau's generator
print(f"flambeau {flambeau.__version__}")

# %% [markdown]
# ## A regression: `y = 1.5 x - 0.5 + noise`
#
# The module computes `Y = X W + b` with `W` of shape `(1, 1)` and `b` of shape `(1,)`. `MSELoss`
# gives one loss per sample, `forward(y, yhat)` of shape `(n,)`, and `backward(y, yhat)` the
# gradient of their **sum** with respect to `yhat`. `backward_update_gradient` *adds* the
# parameter gradient into `_gradient` (hence `zero_grad` first) and `update_parameters(eps)` takes
# one step `W <- W - eps * dL/dW`.

# %%
rng = np.random.default_rng(0)
x = rng.uniform(-2, 2, (200, 1)).astype(np.float32)
y = (1.5 * x - 0.5 + 0.3 * rng.standard_normal((200, 1))).astype(np.float32)

linear, mse, eps = Linear(1, 1), MSELoss(), 1e-3
regression_losses = []
for step in range(100):
    yhat = linear.forward(x)                      # (200, 1)
    regression_losses.append(mse.forward(y, yhat).mean())
    delta = mse.backward(y, yhat)                 # dL/dyhat, (200, 1)
    linear.zero_grad()
    linear.backward_update_gradient(x, delta)     # dL/dW += x^T delta, dL/db += sum(delta)
    linear.update_parameters(eps)

W, b = linear.parameters()["W"].item(), linear.parameters()["b"].item()
print(f"learnt W = {W:.3f} (true 1.5), b = {b:.3f} (true -0.5), "
      f"final mean loss {regression_losses[-1]:.4f} (noise variance 0.09)")

# %% [markdown]
# Are the gradients right? `flambeau.gradcheck` compares the back-propagated gradients with
# central finite differences in float64; the relative errors should be about 1e-8 or smaller.

# %%
print(flambeau.gradcheck(linear, mse, x[:20], y[:20]))

# %% [markdown]
# ## A classification: two gaussians, labels +1 and -1
#
# `gen_arti(data_type=0, ...)` draws two gaussian clouds (here blurred by a noise of standard
# deviation `epsilon`) with labels `+1` and `-1`, shape
# `(nbex, 1)`. The same `Linear` module and the same loss fit a score whose **sign** is the
# predicted class.

# %%
datax, datay = gen_arti(data_type=0, epsilon=0.6, nbex=1000)   # noisy: the clouds overlap
print(datax.shape, datay.shape, np.unique(datay))

classifier = Linear(2, 1)
classification_losses = []
for step in range(200):
    score = classifier.forward(datax)
    classification_losses.append(mse.forward(datay, score).mean())
    delta = mse.backward(datay, score)
    classifier.zero_grad()
    classifier.backward_update_gradient(datax, delta)
    classifier.update_parameters(1e-4)

accuracy = np.mean(np.sign(classifier.forward(datax)) == datay)
print(f"training accuracy: {accuracy:.3f}")

# %% [markdown]
# ## The figure: the fitted line, the losses, and the decision boundary
#
# `plot_frontiere(data, f, step)` colours the plane by the sign of `f` on a grid, and
# `plot_data(data, labels)` draws the points, both on pyplot's current axes.

# %%
fig = plt.figure(figsize=(13, 4))
plt.subplot(1, 3, 1)
plt.scatter(x[:, 0], y[:, 0], s=8, alpha=0.6, label="data")
grid = np.linspace(-2, 2, 50, dtype=np.float32)[:, None]
plt.plot(grid[:, 0], linear.forward(grid)[:, 0], "r", label=f"Y = {W:.2f} X + {b:.2f}")
plt.legend()
plt.title("regression")
plt.subplot(1, 3, 2)
plt.plot(regression_losses, label="regression")
plt.plot(classification_losses, label="classification")
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("mean MSE per sample")
plt.legend()
plt.title("losses")
plt.subplot(1, 3, 3)
plot_frontiere(datax, lambda points: classifier.forward(points), step=100)
plot_data(datax, datay)
plt.title(f"decision boundary, accuracy {accuracy:.3f}")
plt.show()
print(f"accuracy of the linear classifier: {accuracy:.3f}")
