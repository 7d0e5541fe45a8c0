# %% [markdown]
# # 6. Convolutions: the course's Conv1D network, then a 2-D CNN
#
# A convolution slides the same small kernel over every position of its input, so it needs few
# weights and sees local patterns wherever they are. flambeau's feature maps are **channels-last**:
# `(batch, length, channels)` for `Conv1D`, `(batch, height, width, channels)` for `Conv2D`.
#
# First the course's network, which reads a 16 x 16 USPS digit as one sequence of 256 pixels; then a
# small 2-D CNN that sees the image as an image. Both train in well under a minute on 2 cores.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

import flambeau
from flambeau.course import *
from flambeau.datasets import load_usps
from flambeau.interop import to_torch

flambeau.manual_seed(0)
X_train, y_train, X_test, y_test = load_usps()
print(f"flambeau {flambeau.__version__}: {len(X_train)} training and {len(X_test)} test digits")

# %% [markdown]
# ## The course's Conv1D network
#
# `Conv1D(k_size, chan_in, chan_out)`: here 32 kernels of 3 taps over 1 channel, so the
# `(batch, 256, 1)` sequences become `(batch, 254, 32)` feature maps; `MaxPool1D(2, 2)` halves the
# length to 127, `Flatten` makes `127 * 32 = 4064` features for the classifier. Each layer's shape
# formula is in its docstring; `net.summary(input_shape)` computes them all.

# %%
conv1d_net = Sequentiel(Conv1D(3, 1, 32), MaxPool1D(2, 2), Flatten(),
                        Linear(4064, 100), ReLU(), Linear(100, 10))
conv1d_net.summary((256, 1))

sequences_train, sequences_test = X_train.reshape(-1, 256, 1), X_test.reshape(-1, 256, 1)
start = time.perf_counter()
history_1d = flambeau.SGD(conv1d_net, CE(), sequences_train, y_train, batch_size=32, epochs=5, lr=1e-3,
                          rule=flambeau.Adam(), X_val=sequences_test, Y_val=y_test, seed=0, progress=False)
print(f"Conv1D network: test accuracy {history_1d['val_accuracy'][-1]:.3f} "
      f"({time.perf_counter() - start:.0f} s for 5 epochs)")

# %% [markdown]
# ## A 2-D CNN
#
# `Reshape((16, 16, 1))` views each flat digit as a one-channel image; two blocks
# `Conv2D -> ReLU -> MaxPool2D(2)` (8 then 16 kernels of 3 x 3, `padding=1` keeps the size) bring it
# to `(batch, 4, 4, 16)`, and one `Linear` gives the ten logits.

# %%
cnn = flambeau.Sequential(
    flambeau.Reshape((16, 16, 1)),
    flambeau.Conv2D(3, 1, 8, padding=1), ReLU(), flambeau.MaxPool2D(2),
    flambeau.Conv2D(3, 8, 16, padding=1), ReLU(), flambeau.MaxPool2D(2),
    Flatten(), Linear(4 * 4 * 16, 10))
cnn.summary((256,))
start = time.perf_counter()
history_2d = flambeau.SGD(cnn, CE(), X_train, y_train, batch_size=32, epochs=8, lr=3e-3,
                          rule=flambeau.Adam(), X_val=X_test, Y_val=y_test, seed=0, progress=False)
cnn_accuracy = history_2d["val_accuracy"][-1]
print(f"2-D CNN: test accuracy {cnn_accuracy:.3f} with {cnn.num_parameters():,} parameters "
      f"({time.perf_counter() - start:.0f} s for 8 epochs)")

# %% [markdown]
# ## The same network in PyTorch
#
# `flambeau.interop.to_torch` builds the equivalent `torch.nn.Sequential` with a copy of the
# weights. PyTorch's convolutions are channels-first, so a `ChannelsLast()` module comes before the
# `nn.Flatten`: the features are then flattened in flambeau's order and the last `nn.Linear` keeps
# its weights. The logits agree to float rounding.

# %%
model = to_torch(cnn.eval())
print(model)
with torch.no_grad():
    torch_logits = model(torch.from_numpy(X_test)).numpy()
difference = np.abs(torch_logits - cnn.forward(X_test)).max()
print(f"largest |flambeau - PyTorch| over the test logits: {difference:.2e}")

# %% [markdown]
# ## The figure: the first layer's kernels and what they see
#
# The top row shows the eight 3 x 3 kernels of the first `Conv2D` (its weight `W` has the shape
# `(3, 3, 1, 8)`); the rows below, the eight feature maps they produce on two test digits (after
# the ReLU).

# %%
kernels = cnn[1].parameters()["W"][:, :, 0, :]          # (3, 3, 8)
first_block = cnn[:3]                                     # Reshape, Conv2D, ReLU
fig, axes = plt.subplots(3, 9, figsize=(13, 4.5))
axes[0, 0].axis("off")
for j in range(8):
    axes[0, j + 1].imshow(kernels[:, :, j], cmap="RdBu_r")
    axes[0, j + 1].set_title(f"kernel {j}", fontsize=9)
for row, index in ((1, 0), (2, 1)):
    axes[row, 0].imshow(X_test[index].reshape(16, 16), cmap="gray_r")
    maps = first_block.forward(X_test[index:index + 1])[0]   # (16, 16, 8)
    for j in range(8):
        axes[row, j + 1].imshow(maps[:, :, j], cmap="viridis")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
print(f"test accuracy: Conv1D network {history_1d['val_accuracy'][-1]:.3f}, 2-D CNN {cnn_accuracy:.3f}")
