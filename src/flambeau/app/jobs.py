"""Studies started from the web form run in a background thread, one at a time."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..signatures.config import SignatureConfig
from ..signatures.run import run_signatures

__all__ = ["JobRunner"]

log = logging.getLogger(__name__)


class JobRunner:
    """Runs at most one study at a time and reports its progress.

    ``state()`` returns ``{"status": "idle" | "running" | "done" | "failed", "fraction": float,
    "message": str, "name": str}``.
    """

    def __init__(self, runs_dir):
        self.runs_dir = Path(runs_dir)
        self._lock = threading.Lock()
        self._state = {"status": "idle", "fraction": 0.0, "message": "", "name": ""}
        self._thread: threading.Thread | None = None

    def state(self) -> dict:
        with self._lock:
            return dict(self._state)

    def _set(self, **values) -> None:
        with self._lock:
            self._state.update(values)

    def start(self, config: SignatureConfig) -> str:
        """Start ``config`` unless a study is already running; returns a message for the page."""
        with self._lock:
            if self._state["status"] == "running":
                return f"a study is already running ({self._state['name']}); wait for it to finish"
            self._state = {"status": "running", "fraction": 0.0, "message": "starting",
                           "name": config.name}
        self._thread = threading.Thread(target=self._run, args=(config,), daemon=True,
                                        name=f"study-{config.name}")
        self._thread.start()
        return f"started {config.name}"

    def _run(self, config: SignatureConfig) -> None:
        try:
            run_signatures(config, self.runs_dir, show_progress=False,
                      progress=lambda fraction, message: self._set(fraction=fraction, message=message))
            self._set(status="done", fraction=1.0, message=f"{config.name} is ready")
        except Exception as error:  # noqa: BLE001 -- reported on the page, logged in full
            log.exception("study %s failed", config.name)
            self._set(status="failed", message=f"{config.name} failed: {type(error).__name__}: {error}")

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running study (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)
