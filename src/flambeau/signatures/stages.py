"""The stages of a signature study: progress reports, and the time each stage took."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Stages", "stage_of"]


def stage_of(message: str) -> str:
    """A progress message's stage: its first word (``"clustering the hidden layers"`` ->
    ``"clustering"``); ``"done"`` for the last one."""
    word = message.split(" ", 1)[0].rstrip(":")
    return word or "?"


class Stages:
    """``stages(fraction, message)`` forwards a progress report to ``callback`` (the web app's
    progress bar) and starts a stage named by ``stage_of(message)``, which lasts until the next
    report; ``timings()`` gives the seconds of each stage so far (written in ``study.json``)."""

    def __init__(self, callback: Callable[[float, str], None] | None = None):
        self._callback = callback or (lambda fraction, message: None)
        self._start = self._since = time.perf_counter()
        self._current: str | None = None
        self._seconds: dict[str, float] = {}

    def __call__(self, fraction: float, message: str) -> None:
        self._close()
        self._current = stage_of(message)
        self._callback(fraction, message)

    def _close(self) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self._seconds[self._current] = self._seconds.get(self._current, 0.0) + now - self._since
        self._since = now

    def timings(self) -> dict[str, float]:
        """``{stage: seconds}`` in the order the stages started (the current one up to now)."""
        self._close()
        return {stage: round(seconds, 2) for stage, seconds in self._seconds.items()}

    def elapsed(self) -> float:
        """Seconds since the first report."""
        return round(time.perf_counter() - self._start, 2)
