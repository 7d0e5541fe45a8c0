"""A student's script for the course's first three parts, written against ``flambeau.course`` only.

Run by ``tests/test_course.py``; by hand: ``python tests/course/course_script.py frontiere.png``.
"""

# ruff: noqa: E402, F403, F405

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from flambeau.course import *


def accuracy(net, x, y):
    return np.mean(np.sign(net.forward(x)) == y)


# -- Mon premier est... linéaire: a Linear and the MSE, by hand ------------------------------
datax, datay = gen_arti(centerx=1, centery=1, sigma=0.1, nbex=500, data_type=0, epsilon=0.1)
testx, testy = gen_arti(data_type=0, epsilon=0.1, nbex=500)

linear, mse = Linear(2, 1), MSELoss()
linear_losses = []
for _ in range(50):
    yhat = linear.forward(datax)
    linear_losses.append(mse.forward(datay, yhat).mean())
    delta = mse.backward(datay, yhat)
    linear.backward_update_gradient(datax, delta)
    linear.update_parameters(1e-4)  # the gradient of the SUM over the 500 samples
    linear.zero_grad()
linear_accuracy = accuracy(linear, testx, testy)

# -- Mon deuxième est... non linéaire: two layers, backward_delta by hand, on the XOR -------
datax, datay = gen_arti(data_type=1, epsilon=0.1, nbex=500)
testx, testy = gen_arti(data_type=1, epsilon=0.1, nbex=500)

hidden, tanh, output, tanh_out = Linear(2, 8), TanH(), Linear(8, 1), TanH()
for _ in range(300):
    h = hidden.forward(datax)
    a = tanh.forward(h)
    o = output.forward(a)
    yhat = tanh_out.forward(o)
    delta_o = tanh_out.backward_delta(o, mse.backward(datay, yhat))
    output.backward_update_gradient(a, delta_o)
    delta_h = tanh.backward_delta(h, output.backward_delta(a, delta_o))
    hidden.backward_update_gradient(datax, delta_h)
    for layer in (hidden, output):
        layer.update_parameters(1e-3)
        layer.zero_grad()


class TwoLayers:
    def forward(self, x):
        return tanh_out.forward(output.forward(tanh.forward(hidden.forward(x))))


hand_accuracy = accuracy(TwoLayers(), testx, testy)

# -- Mon troisième est un encapsulage: Sequentiel, Optim, then SGD ---------------------------
net = Sequentiel(Linear(2, 8), TanH(), Linear(8, 1), TanH())
optim = Optim(net, MSELoss(), 1e-2)
optim_losses = []
for _ in range(40):
    order = np.random.default_rng(len(optim_losses)).permutation(len(datax))
    for batch in np.array_split(order, 10):
        optim_losses.append(optim.step(datax[batch], datay[batch]))
optim_accuracy = accuracy(net, testx, testy)

net = Sequentiel(Linear(2, 8), TanH(), Linear(8, 1), TanH())
history = SGD(net, MSELoss(), datax, datay, 50, 40, 1e-2, progress=False)
sgd_accuracy = accuracy(net, testx, testy)

plt.figure()
plot_frontiere(testx, lambda x: np.sign(net.forward(x)), step=50)
plot_data(testx, testy)
plt.title(f"SGD, accuracy {sgd_accuracy:.3f}")
plt.savefig(sys.argv[1] if len(sys.argv) > 1 else "frontiere.png")
plt.close()
