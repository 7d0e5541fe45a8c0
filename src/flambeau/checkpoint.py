"""Training checkpoints: everything needed to resume a training run to the same result.

A checkpoint is a flambeau ``.npz`` (see ``flambeau.serialization``) of kind ``"checkpoint"``:
the model (so ``flambeau.load(path)`` returns it) plus, in the header's ``"training"`` entry,
the number of epochs done, the history, the gradient reduction, the state of the shuffling
generator and of every module generator (dropout masks) and the callbacks' states (the
schedule's, early stopping's), keyed ``<class>:<n>`` (the n-th callback of that class); arrays
hold the update rule's state (``rule:<key>``) and the callbacks' arrays
(``callback:<class>:<n>:<key>``). The ``Checkpoint`` callback writes them during training;
``SGD(resume=path)`` / ``Trainer.resume(path)`` continues from one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .callbacks import Callback
from .module import Module
from .serialization import (
    FORMAT,
    VERSION,
    SerializationError,
    copy_arrays_into,
    model_arrays,
    module_spec,
    read_file,
    write_file,
)

__all__ = ["Checkpoint", "load_checkpoint", "save_checkpoint"]


def _module_generators(net: Module, prefix: str = "") -> dict[str, np.random.Generator]:
    """``{path: generator}`` of every module holding its own ``rng`` (e.g. ``Dropout``)."""
    found = {}
    rng = getattr(net, "rng", None)
    if isinstance(rng, np.random.Generator):
        found[prefix or "."] = rng
    for name, child in net.named_children():
        found.update(_module_generators(child, f"{prefix}{name}."))
    return found


def _stateful(callbacks) -> dict[str, object]:
    """``{"<class>:<n>": callback}`` of the callbacks that have a ``state_dict``."""
    found, seen = {}, {}
    for callback in callbacks:
        if hasattr(callback, "state_dict"):
            name = type(callback).__name__
            found[f"{name}:{seen.get(name, 0)}"] = callback
            seen[name] = seen.get(name, 0) + 1
    return found


def save_checkpoint(path, net: Module, rule, rng: np.random.Generator, epochs_done: int,
                    history: dict, callbacks=(), reduction: str = "mean") -> None:
    """Write the state of a run after ``epochs_done`` epochs to ``path`` (atomically)."""
    arrays = model_arrays(net)
    if hasattr(rule, "state_dict"):
        arrays.update({f"rule:{k}": v for k, v in rule.state_dict().items()})
    callback_states = {}
    for key, callback in _stateful(callbacks).items():
        state, extra = callback.state_dict()
        callback_states[key] = state
        arrays.update({f"callback:{key}:{k}": v for k, v in extra.items()})
    training = {
        "epochs_done": int(epochs_done),
        "history": {k: list(v) for k, v in history.items()},
        "reduction": reduction,
        "rule": {"class": type(rule).__name__},
        "rng": rng.bit_generator.state,
        "module_rngs": {p: g.bit_generator.state for p, g in _module_generators(net).items()},
        "callbacks": callback_states,
    }
    header = {"format": FORMAT, "version": VERSION, "kind": "checkpoint", "model": module_spec(net),
              "training": training}
    write_file(path, header, arrays)


def load_checkpoint(path, net: Module, rule, rng: np.random.Generator, callbacks=(),
                    reduction: str = "mean") -> tuple[int, dict]:
    """Restore a run saved by ``save_checkpoint`` into the given objects, in place.

    ``net`` must have the saved architecture, ``rule`` the saved class and ``reduction`` the
    saved value. Returns ``(epochs_done, history)``.
    """
    header, arrays = read_file(path)
    if header.get("kind") != "checkpoint" or "training" not in header:
        raise SerializationError(f"resume: {path} is a saved model, not a training checkpoint")
    training = header["training"]
    if header.get("model") != module_spec(net):
        raise SerializationError(f"resume: {path} was written for another architecture than the "
                                 f"network given ({type(net).__name__})")
    if training["rule"]["class"] != type(rule).__name__:
        raise SerializationError(f"resume: {path} was trained with {training['rule']['class']}, "
                                 f"not {type(rule).__name__}; pass the same rule")
    saved_reduction = training.get("reduction", "mean")
    if saved_reduction != reduction:
        raise SerializationError(f"resume: {path} was trained with reduction={saved_reduction!r}, "
                                 f"not {reduction!r}; pass the same reduction")
    copy_arrays_into(net, {k: v for k, v in arrays.items() if k.startswith(("param:", "buffer:"))},
                     path)
    if hasattr(rule, "load_state_dict"):
        rule.load_state_dict({k[5:]: v for k, v in arrays.items() if k.startswith("rule:")})
    rng.bit_generator.state = training["rng"]
    generators = _module_generators(net)
    for module_path, state in training["module_rngs"].items():
        if module_path in generators:
            generators[module_path].bit_generator.state = state
    live = _stateful(callbacks)
    for key, state in training["callbacks"].items():
        if key in live:
            prefix = f"callback:{key}:"
            live[key].load_state_dict(state, {k[len(prefix):]: v for k, v in arrays.items()
                                              if k.startswith(prefix)})
    return int(training["epochs_done"]), training["history"]


class Checkpoint(Callback):
    """Save the run every ``every`` epochs, when training stops early, and after the last epoch.

    The file (written atomically, replaced each time) holds the model and all the state a
    resumed run needs to give exactly the result of an uninterrupted one: pass it to
    ``SGD(..., resume=path)`` with the same arguments. Runs after the other callbacks
    (``order = 20``), so it saves what they did in the epoch.

    Args:
        path: the checkpoint file (``.npz``).
        every: epochs between two saves (>= 1).
    """

    order = 20

    def __init__(self, path, every: int = 1):
        if not (isinstance(every, (int, np.integer)) and not isinstance(every, bool) and every >= 1):
            raise ValueError(f"Checkpoint: every must be a positive int, got {every!r}")
        self.path, self.every = Path(path), int(every)

    def on_epoch_end(self, epoch, logs):
        trainer = self.trainer
        if (epoch + 1) % self.every == 0 or trainer.stop_training or epoch + 1 == trainer.epochs:
            save_checkpoint(self.path, trainer.net, trainer.optim.rule, trainer.rng, epoch + 1,
                            trainer.history, trainer.callbacks, trainer.optim.reduction)
