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

import numpy as np

from ._checks import check_path
from .callbacks import Callback
from .module import Module
from .serialization import (
    FORMAT,
    VERSION,
    SerializationError,
    check_arrays,
    copy_arrays_into,
    model_arrays,
    module_spec,
    open_file,
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


# The "training" entry of a checkpoint header: field -> (type, what it must be). Checked before
# anything is restored, so that a damaged or hand-edited file is refused naming the field.
_TRAINING_FIELDS = {
    "epochs_done": (int, "an int >= 0"),
    "history": (dict, "a dict of lists"),
    "rule": (dict, "a dict {'class': name}"),
    "rng": (dict, "a generator state"),
    "module_rngs": (dict, "a dict {module path: generator state}"),
    "callbacks": (dict, "a dict {callback key: state}"),
}


def load_checkpoint(path, net: Module, rule, rng: np.random.Generator, callbacks=(),
                    reduction: str = "mean") -> tuple[int, dict]:
    """Restore a run saved by ``save_checkpoint`` into the given objects, in place.

    ``net`` must have the saved architecture, ``rule`` the saved class and ``reduction`` the
    saved value. Returns ``(epochs_done, history)``. The file is checked (members, sizes, every
    training field, the generator states) before anything is restored; a ``SerializationError``
    names the file and what is wrong.
    """
    with open_file(path, "resume") as stored:
        training = _training_entry(stored)
        if stored.header.get("model") != module_spec(net):
            raise stored.error(f"was written for another architecture than the network given "
                               f"({type(net).__name__})")
        if training["rule"].get("class") != type(rule).__name__:
            raise stored.error(f"was trained with {str(training['rule'].get('class'))[:100]}, not "
                               f"{type(rule).__name__}; pass the same rule")
        saved_reduction = training.get("reduction", "mean")
        if saved_reduction != reduction:
            raise stored.error(f"was trained with reduction={saved_reduction!r:.50}, not {reduction!r}; "
                               "pass the same reduction")
        generators = _module_generators(net)
        states = {"": (rng, training["rng"])}
        states.update({p: (generators[p], s) for p, s in training["module_rngs"].items() if p in generators})
        for module_path, (generator, state) in states.items():
            _check_generator_state(stored, generator, state, module_path)
        check_arrays(net, stored.arrays, stored.path)
        arrays = stored.read_all()
    copy_arrays_into(net, {k: v for k, v in arrays.items() if k.startswith(("param:", "buffer:"))},
                     path)
    try:
        if hasattr(rule, "load_state_dict"):
            rule.load_state_dict({k[5:]: v for k, v in arrays.items() if k.startswith("rule:")})
        for generator, state in states.values():
            generator.bit_generator.state = state
        live = _stateful(callbacks)
        for key, (state, extra) in _saved_callback_states(training, arrays).items():
            if key in live:
                live[key].load_state_dict(state, extra)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise SerializationError(f"resume: {path} holds a state that cannot be restored "
                                 f"({type(error).__name__}: {error})") from None
    return training["epochs_done"], training["history"]


def _training_entry(stored) -> dict:
    """The header's ``"training"`` entry, every field checked."""
    training = stored.header.get("training")
    if stored.header.get("kind") != "checkpoint" or training is None:
        raise stored.error("is a saved model, not a training checkpoint")
    if not isinstance(training, dict):
        raise stored.error(f"has a damaged training entry (not a dict: {training!r:.100})")
    for field, (kind, what) in _TRAINING_FIELDS.items():
        value = training.get(field)
        if value is None:
            raise stored.error(f"has no training field {field!r}; it is damaged or was not written by "
                               "flambeau's Checkpoint")
        if not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < 0):
            raise stored.error(f"has a damaged training field {field!r}: expected {what}, got "
                               f"{value!r:.100}")
    if not all(isinstance(v, list) for v in training["history"].values()):
        raise stored.error("has a damaged training field 'history': expected a dict of lists")
    return training


def _check_generator_state(stored, generator: np.random.Generator, state, module_path: str) -> None:
    """Raise unless ``state`` can be given to ``generator`` (tried on a scratch generator)."""
    scratch = type(generator.bit_generator)(0)
    try:
        scratch.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        which = "the shuffling generator" if not module_path else f"the generator of module {module_path!r}"
        raise stored.error(f"holds an invalid state for {which} ({error})") from None


def _saved_callback_states(training: dict, arrays: dict) -> dict[str, tuple[dict, dict]]:
    """``{"<class>:<n>": (state, arrays)}`` of a checkpoint; also reads the earlier layout
    (states keyed by list position with their class, arrays ``callback<i>:``, the schedule's
    state apart), so that a run checkpointed before the callbacks were keyed by class resumes."""
    states, seen = {}, {}
    for key, state in training["callbacks"].items():
        if key.isdigit():  # earlier layout
            name = state["class"]
            prefix, state = f"callback{key}:", state["state"]
            new_key = f"{name}:{seen.get(name, 0)}"
            seen[name] = seen.get(name, 0) + 1
        else:
            new_key, prefix = key, f"callback:{key}:"
        states[new_key] = state, {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    if training.get("schedule") is not None:
        states.setdefault("LRSchedule:0", (training["schedule"], {}))
    return states


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
        self.path, self.every = check_path("Checkpoint", "path", path), int(every)

    def on_epoch_end(self, epoch, logs):
        trainer = self.trainer
        if (epoch + 1) % self.every == 0 or trainer.stop_training or epoch + 1 == trainer.epochs:
            save_checkpoint(self.path, trainer.net, trainer.optim.rule, trainer.rng, epoch + 1,
                            trainer.history, trainer.callbacks, trainer.optim.reduction)
