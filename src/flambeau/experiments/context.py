"""``RunContext``: what a study receives besides its config (output folder, seed, figures...)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..files import save_figure

__all__ = ["Figure", "RunContext", "Table"]

logger = logging.getLogger("flambeau.experiments")


@dataclass
class Figure:
    """A PNG written by a study, kept in memory so the report can embed it."""

    name: str
    caption: str
    png: bytes
    path: Path | None = None


@dataclass
class Table:
    """An extra table for the report (e.g. the gradient-check table)."""

    title: str
    header: list[str]
    rows: list[list]


def _check_caption(caption, name: str) -> None:
    if not isinstance(caption, str) or len(caption.split()) < 2 or caption.strip() == name:
        raise ValueError(f"RunContext.figure: figure {name!r} needs a caption of a few words saying "
                         f"what it shows, got {caption!r}")


@dataclass
class RunContext:
    """Services handed to ``Study.run``.

    Attributes:
        out: the run folder (``runs/NAME``).
        seed: the run's master seed; ``rng(k)`` derives independent generators from it.
        size: ``"tiny"``, ``"quick"`` or ``"full"``.
        progress: show tqdm progress bars.
        repeat: which run of a repeated study this is (0 for the first seed): a study may keep
            its costliest figures to the first.
    """

    out: Path
    seed: int = 0
    size: str = "full"
    progress: bool = True
    repeat: int = 0
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rng(self, *keys: int) -> np.random.Generator:
        """A generator seeded by ``(seed, *keys)``: same keys, same stream; different keys, independent."""
        return np.random.default_rng([self.seed, *keys])

    def seed_for(self, *keys: int) -> int:
        """An int seed derived from ``(seed, *keys)`` for APIs that take ``seed=``."""
        return int(self.rng(*keys).integers(2**31 - 1))

    def figure(self, fig, name: str, caption: str) -> Path:
        """Save a matplotlib figure as ``out/NAME.png`` (cropped to its content; closed) and keep
        it for the report under ``caption``: a sentence in words (what is plotted against what),
        never the file name."""
        _check_caption(caption, name)
        path = save_figure(fig, self.out / f"{name}.png", tight=True)
        self.figures.append(Figure(name, caption, path.read_bytes(), path))
        logger.debug("figure %s", path)
        return path

    def attach(self, path, caption: str) -> None:
        """Embed a PNG already written (by a library study function) in the report, under
        ``caption`` (words, as for ``figure``)."""
        path = Path(path)
        _check_caption(caption, path.stem)
        if path.exists():
            self.figures.append(Figure(path.stem, caption, path.read_bytes(), path))

    def table(self, title: str, header: list[str], rows: list[list]) -> None:
        self.tables.append(Table(title, list(header), [list(r) for r in rows]))

    def note(self, text: str) -> None:
        """A sentence for the report (a caveat, a choice the report left open)."""
        self.notes.append(text)

    def log(self, message: str, *args) -> None:
        logger.info(message, *args)
