"""How a study is declared: a frozen ``Study`` record holding one frozen config per size.

A study is data: its name, a one-line summary, the report it reproduces, the numbers that
report published (``Reference``), and one config dataclass per size (``"tiny"`` for the test
suite, ``"quick"`` for a fast look, ``"full"`` for the report's settings). The only code is
``run(config, ctx) -> metrics``, shared by every size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SIZES", "Reference", "Study", "StudySkipped"]

SIZES = ("tiny", "quick", "full")


class StudySkipped(Exception):
    """Raised by a study that cannot run here (missing data or component); the message says why."""


@dataclass(frozen=True)
class Reference:
    """A number published by an original report, to print beside ours.

    Args:
        key: dotted path of our number in the metrics (``"runs.iter_1000.accuracy"``).
        label: what the number is, in words.
        reported: the published value (a number, or text such as ``"> 0.90"``).
        source: where it was published (report file and figure/table).
    """

    key: str
    label: str
    reported: float | str | None
    source: str = ""


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
    """

    name: str
    title: str
    summary: str
    run: Callable[[Any, Any], dict]
    configs: Mapping[str, Any]
    references: tuple[Reference, ...] = ()
    source: str = ""

    def __post_init__(self):
        missing = [size for size in SIZES if size not in self.configs]
        if missing:
            raise ValueError(f"Study {self.name!r}: configs must define sizes {SIZES}, "
                             f"missing {missing}")
        for size, config in self.configs.items():
            if not (dataclasses.is_dataclass(config) and config.__dataclass_params__.frozen):
                raise TypeError(f"Study {self.name!r}: config {size!r} must be a frozen dataclass, "
                                f"got {type(config).__name__}")

    def config(self, size: str):
        if size not in self.configs:
            raise ValueError(f"Study {self.name!r}: size must be one of {SIZES}, got {size!r}")
        return self.configs[size]

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
