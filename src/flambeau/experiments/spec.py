"""How a study is declared: a frozen ``Study`` record holding one frozen config per size.

A study is data: its name, a one-line summary, the report it reproduces, the numbers that
report published (``Reference``), and one config dataclass per size (``"tiny"`` for the test
suite, ``"quick"`` for a fast look, ``"full"`` for the report's settings). The only code is
``run(config, ctx) -> metrics``, shared by every size.

The configs hold the REPORT's recipe (its architecture, activation, initialisation, loss,
learning rate, batch, epochs, data split and the course's summed gradient). A study may add
``flambeau_configs``, "flambeau's recipe", run after the report's in the same folder, with
``flambeau_reason`` saying why it is there. ``recipe`` lists the settings side by side
(``Setting``: what the report says, what the report's-recipe run uses, what flambeau's recipe
uses, and why where we chose). A config with a ``repeats`` field is run that many times (seeds
``seed``, ``seed + 1``...) and every number that varies is reported as mean, std, min and max.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SIZES", "Reference", "Setting", "Study", "StudySkipped", "summed_gradient"]

SIZES = ("tiny", "quick", "full")


class StudySkipped(Exception):
    """Raised by a study that cannot run here (missing data or component); the message says why."""


@dataclass(frozen=True)
class Reference:
    """A number published by an original report, to print beside ours.

    Args:
        key: dotted path of our number in the metrics (``"runs.iter_1000.accuracy"``).
        label: what the number is, in words.
        reported: the published value (a number; a tuple of numbers for several published
            draws; or text such as ``"> 0.90"``).
        source: where it was published (report file and figure/table).
        flambeau_key: where the same quantity sits in flambeau's recipe's metrics when its
            models are named differently ("" : ``key``; None: no counterpart).
    """

    key: str
    label: str
    reported: float | tuple | str | None
    source: str = ""
    flambeau_key: str | None = ""


@dataclass(frozen=True)
class Setting:
    """One row of a study's recipe table.

    Args:
        name: the setting (``"learning rate"``).
        report: what the report says, with its section, or ``"not stated"``.
        ours: the value the report's-recipe run uses.
        flambeau: the value flambeau's recipe uses (``""``: the study has no such recipe;
            ``"same"``: unchanged).
        why: why we chose ``ours`` where the report is silent, or why flambeau's differs.
    """

    name: str
    report: str
    ours: str
    flambeau: str = ""
    why: str = ""


def summed_gradient(flambeau: str = "") -> Setting:
    """The recipe row of the course's gradient convention (``flambeau``: flambeau's recipe's)."""
    return Setting("gradient", "the course's Optim (sum of per-sample gradients)", "reduction='sum'",
                   flambeau)


@dataclass(frozen=True)
class Study:
    """One reproducible study.

    Args:
        name: the CLI name (``flambeau run NAME``).
        title: a heading for the report.
        summary: one line for ``flambeau list``.
        run: ``run(config, ctx) -> dict`` trains, plots through ``ctx`` and returns the metrics.
        configs: size (``"tiny"``, ``"quick"``, ``"full"``) -> frozen config dataclass.
        references: the published numbers to compare with.
        source: the report(s) this study reproduces.
        recipe: ``Setting`` rows, the report's recipe beside ours (shown first in the report).
        flambeau_configs: size -> config of "flambeau's recipe" (same dataclass), or None.
        flambeau_reason: why flambeau's recipe is there (what it changes and what it gains).
    """

    name: str
    title: str
    summary: str
    run: Callable[[Any, Any], dict]
    configs: Mapping[str, Any]
    references: tuple[Reference, ...] = ()
    source: str = ""
    recipe: tuple[Setting, ...] = ()
    flambeau_configs: Mapping[str, Any] | None = None
    flambeau_reason: str = ""

    def __post_init__(self):
        missing = [size for size in SIZES if size not in self.configs]
        if missing:
            raise ValueError(f"Study {self.name!r}: configs must define sizes {SIZES}, "
                             f"missing {missing}")
        if self.flambeau_configs is not None:
            missing = [size for size in SIZES if size not in self.flambeau_configs]
            if missing or not self.flambeau_reason:
                raise ValueError(f"Study {self.name!r}: flambeau_configs must define sizes {SIZES} "
                                 f"(missing {missing}) and come with a flambeau_reason")
            for size, config in self.flambeau_configs.items():
                if type(config) is not type(self.configs[size]):
                    raise TypeError(f"Study {self.name!r}: flambeau config {size!r} must be a "
                                    f"{type(self.configs[size]).__name__}, got {type(config).__name__}")
        for size, config in self.configs.items():
            if not (dataclasses.is_dataclass(config) and config.__dataclass_params__.frozen):
                raise TypeError(f"Study {self.name!r}: config {size!r} must be a frozen dataclass, "
                                f"got {type(config).__name__}")

    def config(self, size: str):
        if size not in self.configs:
            raise ValueError(f"Study {self.name!r}: size must be one of {SIZES}, got {size!r}")
        return self.configs[size]

    def flambeau_config(self, size: str, config=None):
        """Flambeau's recipe at ``size``, with the fields in which ``config`` departs from the
        size's report config applied too (e.g. ``--set repeats=1`` reaches both); None if the
        study has no such recipe."""
        if self.flambeau_configs is None:
            return None
        ours = self.flambeau_configs[size]
        if config is None:
            return ours
        base = self.config(size)
        changed = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                   if getattr(config, f.name) != getattr(base, f.name)}
        return dataclasses.replace(ours, **changed)

    def config_from_dict(self, values: dict):
        """Rebuild this study's config dataclass from ``config.json`` values (lists -> tuples)."""
        cls = type(self.configs["full"])
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"Study {self.name!r}: unknown config fields {unknown}; "
                             f"expected some of {sorted(names)}")
        return cls(**{k: _freeze(v) for k, v in values.items()})


def _freeze(value):
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value
