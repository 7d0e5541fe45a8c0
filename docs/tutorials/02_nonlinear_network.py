# %% [markdown]
# # 2. A non-linear network: Sequentiel, Optim and SGD
#
# One `Linear` module draws a straight boundary; the XOR layout of the course's `gen_arti`
# (`data_type=1`: four gaussians, opposite corners in the same class) needs more. This tutorial
# chains modules with `Sequentiel`, trains them step by step with `Optim`, then with the whole
# loop `SGD`, and follows the loss curves. It ends on the two-moons data with a sigmoid output
# and the binary cross-entropy.

# %%
import matplotlib.pyplot as plt
import numpy as np

import flambeau
from flambeau.course import *
from flambeau.datasets import make_moons

flambeau.manual_seed(0)
print(f"flambeau {flambeau.__version__}")

# %% [markdown]
# ## XOR: a straight line cannot do it

# %%
datax, datay = gen_arti(data_type=1, epsilon=0.1, nbex=1000)
linear = Linear(2, 1)
SGD(linear, MSELoss(), datax, datay, 50, 40, 1e-3, progress=False)   # batch_size, epochs, eps
print(f"linear model: accuracy {np.mean(np.sign(linear.forward(datax)) == datay):.3f} (chance: 0.5)")

# %% [markdown]
# ## A hidden layer, trained one mini-batch at a time with `Optim`
#
# `Sequentiel(m1, m2, ...)` runs its modules in order; its backward pass hands each module the
# input it saw. `Optim(net, loss, eps).step(batch_x, batch_y)` does one whole step (zero the
# gradients, forward, loss, backward, update) and returns the batch's mean loss. In the course's
# dialect the step follows the gradient of the **sum** of the batch's losses.

# %%
net = Sequentiel(Linear(2, 8), TanH(), Linear(8, 1), TanH())
optim = Optim(net, MSELoss(), 1e-2)
rng = np.random.default_rng(0)
step_losses = []
for epoch in range(40):
    order = rng.permutation(len(datax))
    for start in range(0, len(datax), 50):
        batch = order[start:start + 50]
        step_losses.append(optim.step(datax[batch], datay[batch]))
xor_accuracy = np.mean(np.sign(net.forward(datax)) == datay)
print(f"{len(step_losses)} steps, last batch loss {step_losses[-1]:.4f}, accuracy {xor_accuracy:.3f}")

# %% [markdown]
# ## The same loop, written once: `SGD`
#
# `SGD(net, loss, X, Y, batch_size, epochs, eps)` shuffles, cuts the mini-batches, calls
# `Optim.step` on each and returns a `History` (a dict of per-epoch lists). Validation data
# (`X_val`, `Y_val`) adds `val_loss` and `val_accuracy`.

# %%
xor_net = Sequentiel(Linear(2, 8), TanH(), Linear(8, 1), TanH())
test_x, test_y = gen_arti(data_type=1, epsilon=0.1, nbex=500)
xor_history = SGD(xor_net, MSELoss(), datax, datay, 50, 40, 1e-2, X_val=test_x, Y_val=test_y,
                  seed=0, progress=False)
print({key: round(values[-1], 4) for key, values in xor_history.items() if key != "epoch_time"})

# %% [markdown]
# With `+-1` targets and a `TanH` output the class is the sign of the output, which flambeau's
# `accuracy` does not assume (it reads one output column as a probability, threshold 0.5), so the
# history has no `val_accuracy` here; the sign agreement is one line:

# %%
print(f"XOR test accuracy (sign of the output): {np.mean(np.sign(xor_net.forward(test_x)) == test_y):.3f}")

# %% [markdown]
# ## Two moons, a probability and the binary cross-entropy
#
# With 0/1 labels a `Sigmoide` output gives a probability and `BCE` (the binary cross-entropy)
# is the natural loss; `BCE` refuses targets outside `[0, 1]` (a `-1/+1` label would be a mistake).

# %%
X, y = make_moons(600, noise=0.2, seed=0)
y = y.reshape(-1, 1).astype(np.float32)
X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]
moons_net = Sequentiel(Linear(2, 16), TanH(), Linear(16, 16), TanH(), Linear(16, 1), Sigmoide())
moons_history = SGD(moons_net, BCE(), X_train, y_train, 20, 200, 2e-2, X_val=X_test, Y_val=y_test,
                    seed=0, progress=False)
moons_accuracy = moons_history["val_accuracy"][-1]
print(f"two moons: test accuracy {moons_accuracy:.3f}")

# %% [markdown]
# ## The figure: decision boundaries and loss curves

# %%
fig = plt.figure(figsize=(14, 4))
plt.subplot(1, 3, 1)
plot_frontiere(datax, lambda points: xor_net.forward(points), step=100)
plot_data(datax, datay)
plt.title("XOR, 2-8-1 TanH")
plt.subplot(1, 3, 2)
plot_frontiere(X, lambda points: moons_net.forward(points) - 0.5, step=100)
plot_data(X, y)
plt.title(f"two moons, test accuracy {moons_accuracy:.3f}")
plt.subplot(1, 3, 3)
plt.plot(xor_history["train_loss"], label="XOR train (MSE)")
plt.plot(xor_history["val_loss"], "--", label="XOR test (MSE)")
plt.plot(moons_history["train_loss"], label="moons train (BCE)")
plt.plot(moons_history["val_loss"], "--", label="moons test (BCE)")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("mean loss per sample")
plt.legend()
plt.show()
print(f"two-moons test accuracy: {moons_accuracy:.3f}")
