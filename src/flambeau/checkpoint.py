"""Training checkpoints: everything needed to resume ``SGD`` to the same result.

A checkpoint is a flambeau ``.npz`` (see ``flambeau.serialization``) of kind ``"checkpoint"``:
the model (so ``flambeau.load(path)`` returns it) plus, in the header's ``"training"`` entry,
the number of epochs done, the history, the state of the shuffling generator and of every
module generator (dropout masks), the schedule state and the callbacks' states; arrays hold
the update rule's state (``rule:<key>``) and the callbacks' arrays (``callback<i>:<key>``).
"""

from __future__ import annotations

import numpy as np

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

__all__ = ["load_checkpoint", "save_checkpoint"]


def _module_generators(net: Module, prefix: str = "") -> dict[str, np.random.Generator]:
    """``{path: generator}`` of every module holding its own ``rng`` (e.g. ``Dropout``)."""
    found = {}
    rng = getattr(net, "rng", None)
    if isinstance(rng, np.random.Generator):
        found[prefix or "."] = rng
    for name, child in net.named_children():
        found.update(_module_generators(child, f"{prefix}{name}."))
    return found


def save_checkpoint(path, net: Module, rule, rng: np.random.Generator, epochs_done: int,
                    history: dict, schedule=None, callbacks=()) -> None:
    """Write the state of a run after ``epochs_done`` epochs to ``path`` (atomically)."""
    arrays = model_arrays(net)
    if hasattr(rule, "state_dict"):
        arrays.update({f"rule:{k}": v for k, v in rule.state_dict().items()})
    callback_states = {}
    for i, callback in enumerate(callbacks):
        if hasattr(callback, "state_dict"):
            state, extra = callback.state_dict()
            callback_states[str(i)] = {"class": type(callback).__name__, "state": state}
            arrays.update({f"callback{i}:{k}": v for k, v in extra.items()})
    training = {
        "epochs_done": int(epochs_done),
        "history": {k: list(v) for k, v in history.items()},
        "rule": {"class": type(rule).__name__},
        "rng": rng.bit_generator.state,
        "module_rngs": {p: g.bit_generator.state for p, g in _module_generators(net).items()},
        "schedule": schedule.state_dict() if hasattr(schedule, "state_dict") else None,
        "callbacks": callback_states,
    }
    header = {"format": FORMAT, "version": VERSION, "kind": "checkpoint", "model": module_spec(net),
              "training": training}
    write_file(path, header, arrays)


def load_checkpoint(path, net: Module, rule, rng: np.random.Generator, schedule=None,
                    callbacks=()) -> tuple[int, dict]:
    """Restore a run saved by ``save_checkpoint`` into the given objects, in place.

    ``net`` must have the saved architecture and ``rule`` the saved class. Returns
    ``(epochs_done, history)``.
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
    copy_arrays_into(net, {k: v for k, v in arrays.items() if k.startswith(("param:", "buffer:"))},
                     path)
    if hasattr(rule, "load_state_dict"):
        rule.load_state_dict({k[5:]: v for k, v in arrays.items() if k.startswith("rule:")})
    rng.bit_generator.state = training["rng"]
    generators = _module_generators(net)
    for module_path, state in training["module_rngs"].items():
        if module_path in generators:
            generators[module_path].bit_generator.state = state
    if training["schedule"] is not None and hasattr(schedule, "load_state_dict"):
        schedule.load_state_dict(training["schedule"])
    for key, saved in training["callbacks"].items():
        i = int(key)
        if i < len(callbacks) and type(callbacks[i]).__name__ == saved["class"]:
            prefix = f"callback{i}:"
            callbacks[i].load_state_dict(saved["state"], {k[len(prefix):]: v for k, v in arrays.items()
                                                          if k.startswith(prefix)})
    return int(training["epochs_done"]), training["history"]
