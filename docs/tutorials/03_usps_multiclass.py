# %% [markdown]
# # 3. Ten classes: USPS digits, softmax and cross-entropy
#
# The USPS digits (16 x 16 grey images, 7,291 for training and 2,007 for testing) ship with
# flambeau, so this runs offline. A network with ten outputs gives one score (logit) per digit;
# the softmax turns the scores into probabilities and the cross-entropy compares them with the
# true digit. The confusion matrix then says which digits are taken for which.

# %%
import matplotlib.pyplot as plt
import numpy as np

import flambeau
from flambeau import metrics, plot
from flambeau.course import *
from flambeau.datasets import load_usps

flambeau.manual_seed(0)
X_train, Y_train, X_test, Y_test = load_usps(one_hot=True)   # images (n, 256) in [0, 1], labels (n, 10)
y_test = Y_test.argmax(axis=1)
print(X_train.shape, Y_train.shape, X_test.shape)

fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for digit, ax in enumerate(axes):
    ax.imshow(X_train[Y_train[:, digit] == 1][0].reshape(16, 16), cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Softmax and cross-entropy, fused
#
# For logits `z` and a one-hot target `y`, the softmax is `p_k = exp(z_k) / sum_j exp(z_j)` and the
# cross-entropy `-sum_k y_k log p_k`. `CE` (the course's name of `CrossEntropyLoss`) takes the
# logits and fuses the two: the loss is `logsumexp(z) - z_y`, computed without overflow, and its
# gradient is simply `softmax(z) - y`. The network itself ends with a `Linear` layer.

# %%
z = np.array([[2.0, 1.0, -1.0]], dtype=np.float32)
y = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
print("loss", CE().forward(y, z), "= -log softmax(z)[0] =", -np.log(Softmax().forward(z)[0, 0]))
print("gradient", CE().backward(y, z), "= softmax(z) - y =", Softmax().forward(z) - y)

# %% [markdown]
# ## Training: 256 - 100 - 10 with TanH
#
# In the course's dialect `SGD` steps on the gradient of the sum of the batch's losses: `eps=3e-3`
# with batches of 32 is a mean-gradient learning rate of about 0.1.

# %%
net = Sequentiel(Linear(256, 100), TanH(), Linear(100, 10))
history = SGD(net, CE(), X_train, Y_train, 32, 15, 3e-3, X_val=X_test, Y_val=Y_test, seed=0,
              progress=False)
logits = net.forward(X_test)
probabilities = Softmax().forward(logits)
test_accuracy = metrics.accuracy(y_test, logits)
print(f"test accuracy after {history.epochs} epochs: {test_accuracy:.3f}")
print("probabilities of the first test digit:", np.round(probabilities[0], 3), "true digit:", y_test[0])

# %% [markdown]
# ## Which digits are confused with which?
#
# `metrics.confusion_matrix(y, logits)` counts the test digits of each true class (rows)
# predicted as each class (columns); `plot.plot_confusion_matrix` draws it. Below it: the test
# digits the network got wrong with the highest confidence.

# %%
matrix = metrics.confusion_matrix(y_test, logits)
plot.plot_confusion_matrix(matrix, normalize=True, title=f"USPS test, accuracy {test_accuracy:.3f}")

# %%
predicted = logits.argmax(axis=1)
wrong = np.flatnonzero(predicted != y_test)
worst = wrong[np.argsort(-probabilities[wrong, predicted[wrong]])][:8]
fig, axes = plt.subplots(1, 8, figsize=(12, 2))
for ax, i in zip(axes, worst, strict=True):
    ax.imshow(X_test[i].reshape(16, 16), cmap="gray_r")
    ax.set_title(f"{y_test[i]} taken for {predicted[i]}\np = {probabilities[i, predicted[i]]:.2f}",
                 fontsize=9)
    ax.axis("off")
plt.show()
print(f"{len(wrong)} of {len(y_test)} test digits misclassified; test accuracy {test_accuracy:.3f}")
