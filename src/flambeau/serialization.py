"""Saving and loading: one ``.npz`` file holding the architecture (JSON) and the arrays.

Never pickle: files are read with ``numpy.load(..., allow_pickle=False)``, and everything in
them is a plain numeric array or one unicode string.

File layout:

- ``__flambeau__``: a 0-d unicode array holding the header JSON
  ``{"format": "flambeau", "version": 1, "kind": "module" | "checkpoint", "model": SPEC, ...}``
  where ``SPEC = {"class": "Linear", "config": {"input": 3, ...}}``. A config value that is a
  module (a container's children) is written ``{"__module__": SPEC}``; lists and dicts of them
  nest (see the configuration protocol in ``flambeau.module``). The JSON is strict: a NaN or
  infinite float is written ``{"__float__": "nan" | "inf" | "-inf"}`` and read back as that
  float (``flambeau.files.dumps_exact``);
- ``param:<name>`` for each array of ``model.parameters()``;
- ``buffer:<name>`` for each array of ``model.buffers()``;
- checkpoints add ``rule:<key>`` (the update rule's ``state_dict()``), ``callback<i>:<key>``
  arrays (e.g. early stopping's best weights) and a ``"training"`` JSON entry in the header
  (see ``flambeau.checkpoint``).

Classes are found by name in ``flambeau.registry.MODULES``: every ``Module`` subclass defined
anywhere (library or user code) is registered when its class statement runs, the library's under
their bare name (``"Linear"``), any other under ``"<module>.<qualified name>"``
(``"__main__.Linear"``, see ``flambeau.registry.class_key``).

User classes. Saving checks that each module can be rebuilt: its class is registered (not private,
not an older definition of a class defined again), and ``from_config(get_config())`` can call the
constructor (the default ``from_config`` is ``cls(**config)``: the config must bind to
``__init__``'s signature). A class defined in ``__main__`` or a notebook cell saves; another
process loads the file after defining or importing the class, or names it:
``flambeau.load(path, modules=[MyLayer])`` (``MyLayer.load(path)`` names ``MyLayer`` itself). A
saved user name is resolved, in order: among ``modules``, in ``MODULES``, then among the registered
user classes with the same qualified name (``__main__.Linear`` saved by a script loads where the
class comes from ``my_layers.py``; a bare name from an older file likewise), when exactly one
matches.

This file does not import ``flambeau.module``: ``Module.save`` and ``Module.load`` call it, so the
dependency goes one way only. It knows a module by the configuration protocol described in
``flambeau.module`` (``get_config``, ``from_config``, ``parameters()``, ``buffers()``, ``to``).
"""

from __future__ import annotations

import inspect
import json
import re

import numpy as np

from ._checks import ParameterBudgetError, check_path, parameter_budget
from .archive import HEADER, SerializationError, StoredFile
from .files import dumps_exact, write_npz
from .random import default_generator
from .registry import MODULES, class_key, is_library_class, user_classes_named

__all__ = ["SerializationError", "build_module", "load", "load_weights", "module_spec", "open_file",
           "read_file", "save", "write_file"]

FORMAT, VERSION = "flambeau", 1
_MODEL_PREFIXES = ("param:", "buffer:")
_UNSAFE_KEY = re.compile(r"[/\\\x00]|\.\.")  # what a member name may not hold (see flambeau.archive)


# -- architecture <-> JSON ----------------------------------------------------------------------
def _is_module(value) -> bool:
    """Whether ``value`` is an instance following the module protocol (a ``flambeau.Module``)."""
    return not isinstance(value, type) and all(
        callable(getattr(value, name, None)) for name in ("get_config", "parameters", "buffers"))


def _encode(value, where: str):
    if _is_module(value):
        return {"__module__": module_spec(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, where) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SerializationError(f"{where}.get_config: value {value!r} of type {type(value).__name__} "
                             "cannot be saved; configs hold JSON values and modules only")


def _decode(value, modules, source):
    if isinstance(value, dict):
        if set(value) == {"__module__"}:
            return build_module(value["__module__"], modules, source)
        return {k: _decode(v, modules, source) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, modules, source) for v in value]
    return value


def _uses_default_from_config(cls: type) -> bool:
    """Whether ``cls.from_config`` is the base ``Module``'s (``cls(**config)``)."""
    owner = next(c for c in cls.__mro__ if "from_config" in c.__dict__)
    return owner.__module__ == "flambeau.module" and owner.__name__ == "Module"


def _check_rebuildable(cls: type, config: dict) -> None:
    """Raise at save time when ``cls(**config)`` could not rebuild the module (cheap: the config
    is bound to the constructor's signature, nothing is built)."""
    if not _uses_default_from_config(cls):
        return
    try:
        inspect.signature(cls).bind(**config)
    except TypeError as error:
        required = [p.name for p in inspect.signature(cls).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        example = ", ".join(f"{name!r}: self.{name}" for name in required) or "..."
        raise SerializationError(
            f"save: {cls.__name__} cannot be rebuilt from get_config() = {config!r:.200} "
            f"({error}): loading calls {cls.__name__}(**get_config()). Add to {cls.__name__} a "
            f"method `def get_config(self): return {{{example}}}` returning its constructor "
            "arguments (store them in __init__), or a classmethod from_config(cls, config)") \
            from None


def module_spec(module) -> dict:
    """``{"class": name, "config": ...}`` of a module, children nested, JSON-ready.

    Raises ``SerializationError`` when the module could not be rebuilt by ``load`` (see the module
    docstring): private or unregistered class, or a ``get_config`` that does not fit the
    constructor.
    """
    cls = type(module)
    name = class_key(cls)
    if MODULES.get(name) is not cls:
        why = ("private classes, named with a leading '_', cannot be saved: rename it"
               if cls.__name__.startswith("_") else
               "it was defined again since this module was built (a re-run cell or script); "
               "build the module again from the current class")
        raise SerializationError(f"save: class {name} is not registered in "
                                 f"flambeau.registry.MODULES ({why})")
    config = module.get_config()
    if not isinstance(config, dict):
        raise SerializationError(f"save: {cls.__name__}.get_config() must return a dict of "
                                 f"constructor arguments, got {type(config).__name__}")
    _check_rebuildable(cls, config)
    return {"class": name, "config": _encode(config, cls.__name__)}


def _module_class(name: str, modules, where: str) -> type:
    """The class a saved name designates (order: ``modules``, ``MODULES``, user classes)."""
    given = [cls for cls in modules if class_key(cls) == name]
    given = given or [cls for cls in modules if not is_library_class(cls)
                      and (name == cls.__qualname__ or name.endswith("." + cls.__qualname__))]
    if len(given) == 1:
        return given[0]
    if name in MODULES:
        return MODULES[name]
    candidates = user_classes_named(name)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        matches = ", ".join(sorted(map(class_key, candidates)))
        raise SerializationError(f"{where}module class {name!r} matches several classes ({matches}); "
                                 "name the one to use: flambeau.load(path, modules=[TheClass])")
    user = sorted(key for key, cls in MODULES.items() if not is_library_class(cls))
    raise SerializationError(
        f"{where}unknown module class {name!r:.200}; define or import the class first, or pass it: "
        f"flambeau.load(path, modules=[{name.rsplit('.', 1)[-1][:100]}]) (known user classes: "
        f"{', '.join(user) or 'none'}; library classes: "
        f"{', '.join(sorted(k for k in MODULES if k not in user))})")


def _check_classes(modules) -> list[type]:
    modules = list(modules)
    for cls in modules:
        if not (isinstance(cls, type) and callable(getattr(cls, "from_config", None))):
            raise TypeError(f"load: modules must be a list of Module classes, got {cls!r:.100}")
    return modules


def build_module(spec: dict, modules=(), source=None):
    """Rebuild a module (fresh weights) from ``module_spec`` output; ``modules``: classes the
    spec may name, looked up first (see the module docstring); ``source``: the file named in
    error messages.

    The library's default random generator is left as it was: building draws initial weights
    that are overwritten right away, and loading a file must not change later random draws.
    """
    where = "load: " if source is None else f"load: {source}: "
    if not (isinstance(spec, dict) and isinstance(spec.get("class"), str)
            and isinstance(spec.get("config"), dict)):
        raise SerializationError(f"{where}a module spec must be {{'class': str, 'config': dict}}, "
                                 f"got {spec!r:.200}")
    cls = _module_class(spec["class"], modules, where)
    generator = default_generator()
    saved_state = generator.bit_generator.state
    try:
        return cls.from_config(_decode(spec["config"], modules, source))
    except SerializationError:
        raise
    except ParameterBudgetError as error:
        raise SerializationError(f"{where}{error}") from None
    except (TypeError, ValueError, KeyError) as error:
        raise SerializationError(f"{where}cannot rebuild {spec['class']} from its config "
                                 f"{spec['config']!r:.200}: {error}") from error
    finally:
        generator.bit_generator.state = saved_state


# -- files ----------------------------------------------------------------------------------------
def write_file(path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``header`` (strict JSON, NaN and inf kept: ``flambeau.files.dumps_exact``) and
    ``arrays`` to ``path`` atomically."""
    unsafe = [key for key in arrays if _UNSAFE_KEY.search(key)]
    if unsafe:
        raise SerializationError(f"save: array names may not hold '/', '\\', '..' or NUL (a reader "
                                 f"refuses them), got {unsafe[:5]}; rename the sub-modules")
    entries = {HEADER: np.array(dumps_exact(header))}
    entries.update({key: np.asarray(value) for key, value in arrays.items()})
    write_npz(path, entries)


def open_file(path, where: str = "load") -> StoredFile:
    """Open a flambeau ``.npz`` (``flambeau.archive.StoredFile``: members and sizes checked, no
    array read yet) and check its header's version and kind."""
    stored = StoredFile(check_path(where, "path", path), where)
    try:
        header = stored.header
        if header.get("version") != VERSION:
            raise stored.error(f"has format version {header.get('version')!r:.50}; this flambeau reads "
                               f"version {VERSION}")
        kind = header.get("kind", "module")
        if kind not in ("module", "checkpoint"):
            raise stored.error(f"has kind {kind!r:.50}; expected 'module' or 'checkpoint'")
        extra = [key for key in stored.arrays if kind == "module" and not key.startswith(_MODEL_PREFIXES)]
        if extra:
            raise stored.error(f"holds arrays that a saved module does not: {sorted(extra)[:5]}")
    except BaseException:
        stored.close()
        raise
    return stored


def read_file(path) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a flambeau ``.npz``: ``(header, arrays)``; clear errors for anything else."""
    with open_file(path) as stored:
        return stored.header, stored.read_all()


_BUDGET_SLACK = 1 << 12
"""Parameter values an architecture may build beyond twice what its file stores (see ``_build_stored``)."""


def _build_stored(stored: StoredFile, modules):
    """The module a file's header describes, built under a budget of parameter values set by the
    values the file stores, so that a config declaring ``Linear(100000, 100000)`` beside a few
    stored values is refused before its weight is allocated.

    The budget is twice the stored values plus ``_BUDGET_SLACK``: a tied autoencoder's config
    holds a copy of each shared twin (built, then re-linked to the stored one), so building
    may allocate up to twice what is stored.
    """
    values = sum(a.size for k, a in stored.arrays.items() if k.startswith(_MODEL_PREFIXES))
    limit = 2 * values + _BUDGET_SLACK
    with parameter_budget(limit, f"{stored.path} stores {values:,} parameter and buffer values; an "
                                 f"architecture may build at most {limit:,}"):
        return build_module(stored.header.get("model"), modules, stored.path)


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}


def model_arrays(module) -> dict[str, np.ndarray]:
    """``param:<name>`` and ``buffer:<name>`` entries of a module."""
    arrays = {f"param:{k}": v for k, v in module.parameters().items()}
    arrays.update({f"buffer:{k}": v for k, v in module.buffers().items()})
    return arrays


def check_arrays(module, arrays: dict, source) -> None:
    """Raise unless the saved ``param:`` / ``buffer:`` entries (arrays, or any objects with a
    ``shape`` and a ``dtype``: what the file declares) match ``module``'s names and shapes."""
    for kind, live in (("param", module.parameters()), ("buffer", module.buffers())):
        saved = _prefixed(arrays, f"{kind}:")
        missing, unexpected = sorted(set(live) - set(saved)), sorted(set(saved) - set(live))
        if missing or unexpected:
            raise SerializationError(
                f"load: {source} does not match the architecture {type(module).__name__}: "
                f"{kind} arrays missing {_few(missing)}, unexpected {_few(unexpected)}")
        for name, array in saved.items():
            if array.shape != live[name].shape:
                raise SerializationError(
                    f"load: {source}: {kind} {name!r} has shape {array.shape} in the file but "
                    f"{live[name].shape} in the architecture")
            if array.dtype.kind != "f" or array.dtype.itemsize not in (4, 8):
                raise SerializationError(f"load: {source}: {kind} {name!r} has dtype {array.dtype}, "
                                         "expected float32 or float64")


def _few(names: list[str], shown: int = 10) -> str:
    """``['0.W', '0.b']``, or the first ``shown`` names and how many more."""
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return f"{names[:shown]}{more}"


def copy_arrays_into(module, arrays: dict[str, np.ndarray], source):
    """Copy saved ``param:`` / ``buffer:`` arrays into ``module``'s live arrays (names and shapes
    checked); the module takes the saved dtype."""
    check_arrays(module, arrays, source)
    dtypes = ({a.dtype for k, a in arrays.items() if k.startswith("param:")}
              or {a.dtype for k, a in arrays.items() if k.startswith("buffer:")})  # no parameters
    if len(dtypes) == 1:
        module.to(dtypes.pop().newbyteorder("="))  # a big-endian file gives native arrays
    for kind, live in (("param", module.parameters()), ("buffer", module.buffers())):
        for name, array in _prefixed(arrays, f"{kind}:").items():
            live[name][...] = array
    return module


# -- public API -----------------------------------------------------------------------------------
def save(module, path) -> None:
    """Save ``module`` (architecture + parameters + buffers) to one ``.npz`` at ``path``."""
    if not _is_module(module):
        raise TypeError(f"save: expected a Module, got {type(module).__name__}")
    path = check_path("save", "path", path)
    header = {"format": FORMAT, "version": VERSION, "kind": "module", "model": module_spec(module)}
    write_file(path, header, model_arrays(module))


def load(path, modules=()):
    """Load a module saved by ``save`` (or the model inside a training checkpoint).

    ``modules``: user classes the file may name (``flambeau.load(path, modules=[MyLayer])``),
    needed when the file names a class defined in another script or notebook and not defined or
    imported in this process.

    The file is not trusted (``flambeau.archive``): its members and sizes are checked, the
    architecture is built under the budget of the values the file stores, and its names and
    shapes are compared with the declared arrays, all before any array is read.
    """
    modules = _check_classes(modules)
    with open_file(path) as stored:
        module = _build_stored(stored, modules)
        check_arrays(module, stored.arrays, stored.path)
        return copy_arrays_into(module, stored.read_all(_MODEL_PREFIXES), stored.path)


def load_weights(module, path):
    """Copy the weights saved in ``path`` into ``module`` (same architecture) and return it."""
    with open_file(path) as stored:
        spec = module_spec(module)
        if stored.header.get("model") != spec:
            raise SerializationError(f"load: {stored.path} holds a different architecture: "
                                     f"{json.dumps(stored.header.get('model'))[:300]} vs "
                                     f"{json.dumps(spec)[:300]}")
        check_arrays(module, stored.arrays, stored.path)
        return copy_arrays_into(module, stored.read_all(_MODEL_PREFIXES), stored.path)
