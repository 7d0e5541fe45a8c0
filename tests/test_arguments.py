"""Bad hyper-parameters in every constructor and training entry point: each is refused when the
object is built, with the library's error naming the class or function, the argument and the
value received (never a NumPy or Python error about ``'>'`` or ``isfinite``)."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fb
from flambeau import datasets

X, Y = np.zeros((4, 3), np.float32), np.zeros((4, 2), np.float32)


def _net():
    return fb.Sequential(fb.Linear(3, 2))


def _sgd(**options):
    return fb.SGD(_net(), fb.MSELoss(), X, Y, progress=False, **options)


BAD = {
    # the failures reported against 0.1
    "Optim(eps='0.1')": (lambda: fb.Optim(_net(), fb.MSELoss(), eps="0.1"),
                         r"Optim: the learning rate \(lr, or eps\) must be a positive number, got '0.1'"),
    "SGD(net='net')": (lambda: fb.SGD("net", fb.MSELoss(), X, Y), "SGD: net must be a Module, got str 'net'"),
    "LeakyReLU('x')": (lambda: fb.LeakyReLU("x"), "LeakyReLU: alpha must be a finite number, got 'x'"),
    "LeakyReLU(None)": (lambda: fb.LeakyReLU(None), "LeakyReLU: alpha must be a finite number, got None"),
    "BatchNorm1D(eps='x')": (lambda: fb.BatchNorm1D(3, eps="x"),
                             "BatchNorm1D: eps must be a positive number, got 'x'"),
    "BatchNorm1D(momentum=None)": (lambda: fb.BatchNorm1D(3, momentum=None),
                                   r"BatchNorm1D: momentum must lie in \[0, 1\], got None"),
    "BatchNorm1D(True)": (lambda: fb.BatchNorm1D(True), "BatchNorm1D: num_features must be a positive int, "
                                                        "got True"),
    # constructors
    "Linear(True, 2)": (lambda: fb.Linear(True, 2), "Linear: input must be a positive int, got True"),
    "Linear(bias='no')": (lambda: fb.Linear(3, 2, bias="no"), "Linear: bias must be True or False, got 'no'"),
    "Linear(init=[1])": (lambda: fb.Linear(3, 2, init=[1]), r"Linear: unknown init \[1\]; choose one of"),
    "Linear(dtype='int32')": (lambda: fb.Linear(3, 2, dtype="int32"),
                              "Linear: flambeau supports float32 and float64 parameters, got int32"),
    "Linear(dtype='nope')": (lambda: fb.Linear(3, 2, dtype="nope"),
                             "Linear: flambeau supports float32 and float64 parameters, got 'nope'"),
    "Linear(rng='x')": (lambda: fb.Linear(3, 2, rng="x"),
                        "Linear: rng must be None, an int seed >= 0 or a numpy Generator, got 'x'"),
    "Conv1D(chan_in=0)": (lambda: fb.Conv1D(3, 0, 2), "Conv1D: chan_in must be a positive int, got 0"),
    "Conv2D(bias='x')": (lambda: fb.Conv2D(3, 1, 2, bias="x"), "Conv2D: bias must be True or False, got 'x'"),
    "Dropout(rng=1.5)": (lambda: fb.Dropout(0.5, rng=1.5),
                         "Dropout: rng must be None, an int seed >= 0 or a numpy Generator, got 1.5"),
    "TiedLinear(bias='x')": (lambda: fb.TiedLinear(fb.Linear(3, 2), bias="x"),
                             "TiedLinear: bias must be True or False, got 'x'"),
    "CrossEntropyLoss(from_logits='no')": (lambda: fb.CrossEntropyLoss(from_logits="no"),
                                           "CrossEntropyLoss: from_logits must be True or False, got 'no'"),
    "Module.to('int32')": (lambda: _net().to("int32"),
                           "Sequential.to: flambeau supports float32 and float64 parameters, got int32"),
    "Module.update_parameters('x')": (lambda: _net().update_parameters("x"),
                                      "Sequential.update_parameters: gradient_step must be a finite number, "
                                      "got 'x'"),
    # update rules
    "Adam(eps='x')": (lambda: fb.Adam(eps="x"), "Adam: eps must be a finite number >= 0, got 'x'"),
    "Adam(weight_decay=None)": (lambda: fb.Adam(weight_decay=None),
                                "Adam: weight_decay must be a finite number >= 0, got None"),
    "Momentum(beta='x')": (lambda: fb.Momentum(beta="x"), r"Momentum: beta must lie in \[0, 1\), got 'x'"),
    "Momentum(nesterov='yes')": (lambda: fb.Momentum(nesterov="yes"),
                                 "Momentum: nesterov must be True or False, got 'yes'"),
    "RMSprop(alpha='x')": (lambda: fb.RMSprop(alpha="x"), r"RMSprop: alpha must lie in \[0, 1\), got 'x'"),
    "GradientDescent(weight_decay='x')": (lambda: fb.GradientDescent(weight_decay="x"),
                                          "GradientDescent: weight_decay must be a finite number >= 0, "
                                          "got 'x'"),
    # training entry points
    "Optim(net='net')": (lambda: fb.Optim("net", fb.MSELoss()), "Optim: net must be a Module, got str 'net'"),
    "Optim(loss=MSELoss)": (lambda: fb.Optim(_net(), fb.MSELoss),
                            r"Optim: loss must be a Loss, got the class MSELoss \(build one: "
                            r"MSELoss\(...\)\)"),
    "Optim(rule='adam')": (lambda: fb.Optim(_net(), fb.MSELoss(), rule="adam"),
                           r"Optim: rule must be an update rule such as flambeau.Adam\(\)"),
    "Optim(rule=Adam)": (lambda: fb.Optim(_net(), fb.MSELoss(), rule=fb.Adam),
                         r"Optim: rule must be an update rule .* got <class"),
    "Optim(clip_norm='x')": (lambda: fb.Optim(_net(), fb.MSELoss(), clip_norm="x"),
                             "Optim: clip_norm must be a positive number, got 'x'"),
    "Optim(clip_norm=True)": (lambda: fb.Optim(_net(), fb.MSELoss(), clip_norm=True),
                              "Optim: clip_norm must be a positive number, got True"),
    "Optim(reduction=['mean'])": (lambda: fb.Optim(_net(), fb.MSELoss(), reduction=["mean"]),
                                  r"Optim: reduction must be 'mean' .* got \['mean'\]"),
    "SGD(loss='mse')": (lambda: fb.SGD(_net(), "mse", X, Y), "SGD: loss must be a Loss, got str 'mse'"),
    "SGD(validation_split='x')": (lambda: _sgd(validation_split="x"),
                                  r"SGD: validation_split must lie in \[0, 1\), got 'x'"),
    "SGD(seed='x')": (lambda: _sgd(seed="x"),
                      "SGD: seed must be None, an int seed >= 0 or a numpy Generator, got 'x'"),
    "SGD(callbacks=3)": (lambda: _sgd(callbacks=3), "SGD: callbacks must be a list of Callback objects"),
    "SGD(transform='x')": (lambda: _sgd(transform="x"), "SGD: transform must be a function"),
    "SGD(shuffle='no')": (lambda: _sgd(shuffle="no"), "SGD: shuffle must be True or False, got 'no'"),
    "SGD(metrics=3)": (lambda: _sgd(metrics=3, X_val=X, Y_val=Y),
                       "SGD: metrics must be a list of names or functions"),
    "Checkpoint(None)": (lambda: fb.Checkpoint(None),
                         r"Checkpoint: path must be a file path \(str or pathlib.Path\), got None"),
    "Metrics(3, 3)": (lambda: fb.Metrics(3, 3), r"Metrics: X must hold samples along its first axis"),
    "Metrics(batch_size=0)": (lambda: fb.Metrics(X, Y, batch_size=0),
                              "Metrics: batch_size must be a positive int, got 0"),
    "evaluate(loss='mse')": (lambda: fb.evaluate(_net(), "mse", X, Y), "evaluate: loss must be a Loss"),
    "predict('net')": (lambda: fb.predict("net", X), "predict: net must be a Module, got str 'net'"),
    "predict(batch_size=0)": (lambda: fb.predict(_net(), X, batch_size=0),
                              "predict: batch_size must be a positive int, got 0"),
    "gradcheck(loss='mse')": (lambda: fb.gradcheck(_net(), "mse", X, Y), "gradcheck: loss must be a Loss"),
    "clip_grad_norm(max_norm='x')": (lambda: fb.clip_grad_norm({"a": np.ones(2)}, "x"),
                                     "clip_grad_norm: max_norm must be a positive number, got 'x'"),
    "clip_grad_norm(grads='x')": (lambda: fb.clip_grad_norm("x", 1.0),
                                  r"clip_grad_norm: grads must be a dict \{name: gradient array\}"),
    "manual_seed('x')": (lambda: fb.manual_seed("x"), "manual_seed: seed must be an int >= 0, got 'x'"),
    "set_default_dtype('nope')": (lambda: fb.set_default_dtype("nope"),
                                  "set_default_dtype: flambeau supports float32 and float64 parameters, "
                                  "got 'nope'"),
    # data
    "load_usps(n_per_class='x')": (lambda: datasets.load_usps(n_per_class="x"),
                                   "load_usps: n_per_class must be a positive int, got 'x'"),
    "load_usps(classes='x')": (lambda: datasets.load_usps(classes="x"),
                               "load_usps: classes must be a non-empty list of integer labels, got 'x'"),
    "load_usps(data_dir=3)": (lambda: datasets.load_usps(data_dir=3),
                              r"load_usps: data_dir must be a file path \(str or pathlib.Path\), got int 3"),
    "make_moons(n=-1)": (lambda: datasets.make_moons(n=-1), "make_moons: n must be an int >= 0, got -1"),
    "gen_arti(n='x')": (lambda: datasets.gen_arti(n="x"), "gen_arti: n must be an int >= 0, got 'x'"),
    "one_hot(n_classes='x')": (lambda: datasets.one_hot([1, 2], "x"),
                               "one_hot: n_classes must be an int >= 0, got 'x'"),
    "normalize(None)": (lambda: datasets.normalize(None),
                        "normalize: X must be an array of real numbers, got None"),
    "add_noise(amplitude='x')": (lambda: datasets.add_noise(np.zeros((2, 2)), "x"),
                                 "add_noise: amplitude must be a finite number >= 0, got 'x'"),
}


@pytest.mark.parametrize("call", BAD, ids=list(BAD))
def test_bad_arguments_are_refused_naming_where_what_and_the_value(call):
    build, message = BAD[call]
    with pytest.raises((ValueError, TypeError), match=f"^{message}") as error:
        build()
    assert not isinstance(error.value, (AttributeError, KeyError, IndexError))


def test_a_weight_too_large_for_memory_names_the_layer_and_the_shape():
    with pytest.raises(MemoryError, match=r"^Linear: not enough memory for a parameter of shape "
                                          r"\(10000000, 10000000\) \(100,000,000,000,000 values\)$"):
        fb.Linear(10**7, 10**7)
