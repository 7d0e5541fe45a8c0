# %% [markdown]
# # 4. Your own layer: write it, check it, train it, save it
#
# A layer is a `Module` with three methods: `forward(X)`, `backward_update_gradient(input, delta)`
# (which **adds** `dL/dparameters` into `_gradient`) and `backward_delta(input, delta)` (which returns
# `dL/dX`). This tutorial writes a new one in its own file, checks it with flambeau's checker (the
# one a teacher runs on an assignment: finite differences, accumulation, `zero_grad`, the update
# step...), sees what a bug looks like, then trains the layer inside a network, saves it and loads
# it back.

# %%
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import flambeau
from flambeau.check import check_module
from flambeau.course import *
from flambeau.datasets import load_usps
from flambeau.user_code import import_file

flambeau.manual_seed(0)
print(f"flambeau {flambeau.__version__}")

# %% [markdown]
# ## The layer: one learnable factor per feature
#
# `Scale(n)` computes `Y = X * a` with a parameter `a` of shape `(n,)`:
#
# - forward: `Y[i, j] = X[i, j] a[j]`;
# - parameter gradient: `dL/da[j] += sum_i X[i, j] delta[i, j]`;
# - input gradient: `dL/dX[i, j] = delta[i, j] a[j]`.
#
# The parameters go in the dict `_parameters`, and `_init_gradients()` gives `_gradient` the same
# keys and shapes. `get_config()` returns the constructor's arguments, so that a saved network can
# rebuild the layer. A second class, `ForgetfulScale`, has the two classic bugs: it writes `=`
# instead of `+=`, and its input gradient forgets the factor.

# %%
SOURCE = '''
import numpy as np

from flambeau import Module


class Scale(Module):
    """Y = X * a, one learnable factor per feature: X (batch, n) -> Y (batch, n), a (n,)."""

    def __init__(self, n):
        super().__init__()
        self.n = n
        self._parameters = {"a": np.linspace(0.5, 1.5, n, dtype=np.float32)}
        self._init_gradients()

    def forward(self, X):
        return X * self._parameters["a"]

    def backward_update_gradient(self, input, delta):
        self._gradient["a"] += (input * delta).sum(axis=0)

    def backward_delta(self, input, delta):
        return delta * self._parameters["a"]

    def get_config(self):
        return {"n": self.n}


class ForgetfulScale(Scale):
    """Scale with two bugs."""

    def backward_update_gradient(self, input, delta):
        self._gradient["a"] = (input * delta).sum(axis=0)     # '=' where '+=' belongs

    def backward_delta(self, input, delta):
        return delta                                           # forgot the factor a
'''
Path("my_layers.py").write_text(SOURCE)
my_layers = import_file("my_layers.py")   # what `flambeau ... --import my_layers.py` does
Scale, ForgetfulScale = my_layers.Scale, my_layers.ForgetfulScale

# %% [markdown]
# ## Checking it in Python: `check_module`
#
# `check_module(module, X, seed=0)` works on a float64 copy of the module (the module itself is left
# untouched) and returns a report: `report.passed`, and `report.failures`, each with the check, the
# method at fault and a message. `print(report)` gives one PASS/FAIL line per check.

# %%
X = np.random.default_rng(0).uniform(0.5, 2.0, (8, 5))
report = check_module(Scale(5), X, seed=0)
print(report)
print("passed:", report.passed)

# %%
report = check_module(ForgetfulScale(5), X, seed=0)
print("passed:", report.passed)
for failure in report.failures:
    print(f"- {failure.method} / {failure.check}: {failure.message}")

# %% [markdown]
# ## Checking a whole file: `flambeau check`
#
# The command imports the file, builds every `Module` and `Loss` class it defines (`--args` gives the
# constructor arguments, `--input-shape` the shape of a sample batch) and checks each one; it exits
# with status 1 when a check fails, and `--json` writes an autograder's results file. Here it runs
# as a subprocess so that the notebook can show its output.

# %%
done = subprocess.run([sys.executable, "-m", "flambeau", "check", "my_layers.py",
                       "--args", "Scale=(5,), ForgetfulScale=(5,)", "--input-shape", "(8, 5)",
                       "--failures"],
                      capture_output=True, text=True)
print(done.stdout, done.stderr)
print("exit status:", done.returncode)

# %% [markdown]
# ## Training with it, saving and loading
#
# The layer trains like any other (here between a hidden layer and the output, on USPS). A saved
# network is one `.npz` file: the architecture as JSON and the weights, no pickle. Loading names the
# classes that are not flambeau's (`modules=[Scale]`); another process imports the file first.

# %%
X_train, y_train, X_test, y_test = load_usps(n_per_class=100)   # 1,000 training images
net = Sequentiel(Linear(256, 32), TanH(), Scale(32), Linear(32, 10))
history = SGD(net, CE(), X_train, y_train, 20, 40, 2e-3, X_val=X_test, Y_val=y_test, seed=0,
              progress=False)
print(f"test accuracy: {history['val_accuracy'][-1]:.3f}")

net.save("net.npz")
again = flambeau.load("net.npz", modules=[Scale])
difference = np.abs(again.forward(X_test) - net.forward(X_test)).max()
print(again)
print(f"largest difference between the outputs of the saved and the loaded network: {difference}")

# %%
code = ("import flambeau; from flambeau.user_code import import_file; "
        "layers = import_file('my_layers.py'); "
        "net = flambeau.load('net.npz', modules=[layers.Scale]); print(net[2], net[2].parameters()['a'][:4])")
print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)

# %% [markdown]
# ## The figure: what the layer learnt

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
left.plot(history["train_loss"], label="train")
left.plot(history["val_loss"], label="test")
left.set(xlabel="epoch", ylabel="cross-entropy per sample", title="training with a Scale layer")
left.legend()
right.bar(range(32), np.linspace(0.5, 1.5, 32), color="lightgray", label="initial a")
right.bar(range(32), net[2].parameters()["a"], width=0.4, label="learnt a")
right.set(xlabel="hidden unit", ylabel="factor", title="Scale(32).a")
right.legend()
plt.show()
print(f"test accuracy {history['val_accuracy'][-1]:.3f}; saved vs loaded outputs differ by {difference}")
