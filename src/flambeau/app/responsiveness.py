"""How quickly a study page renders and answers a box selection, measured in a real browser,
and how much memory the server holds.

Used by the end-to-end test and by ``benchmarks/bench_signature_app.py --browser``. ``page`` is
a Playwright page (duck-typed: the library does not import Playwright).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["process_memory", "served", "time_box_selections", "time_first_render"]

_CLEARED = "document.querySelector('#selection-info').textContent === 'No selection.'"
_SHOWN = ("/^[1-9][0-9]* samples selected \\(/.test(document.querySelector('#selection-info').textContent)"
          " && document.querySelector('#sankey .gtitle').textContent.endsWith(' selected')")
# every map plotted (its WebGL canvas made and its points handed to it, or its image placed)
# and the Sankey drawn
_RENDERED = """(n) => {
    const maps = Array.from(document.querySelectorAll('#scatters .js-plotly-plot'));
    return maps.length === n && maps.every(gd => gd._fullLayout && gd._fullData
        && gd._fullData.length === gd.data.length && gd.querySelector('canvas, .imagelayer image'))
        && document.querySelector('#sankey .sankey-link') !== null;
}"""
_NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def time_first_render(page, url: str, n_maps: int, timeout_ms: int = 120_000) -> float:
    """Seconds from asking the browser for ``url`` (a study page) to its ``n_maps`` maps and its
    Sankey drawn (two animation frames after the last one is plotted)."""
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(_RENDERED, arg=n_maps, timeout=timeout_ms)
    page.evaluate(_NEXT_FRAMES)
    return time.perf_counter() - start


def time_box_selections(page, rights=(0.3, 0.4, 0.5, 0.6, 0.7)) -> list[float]:
    """Seconds from the mouse release of a box selection in the first map to the summary line (a
    count above 0) and the Sankey title showing it, one per box; box ``i`` spans the map's full height and
    ``rights[i]`` of its width. The selection is cleared before each box."""
    drag = page.locator("#scatters .js-plotly-plot").first.locator(".nsewdrag").first
    times = []
    for right in rights:
        page.click("#clear-selection")
        page.wait_for_function(_CLEARED)
        box = drag.bounding_box()
        page.mouse.move(box["x"] + 5, box["y"] + 5)
        page.mouse.down()
        page.mouse.move(box["x"] + right * box["width"], box["y"] + box["height"] - 5, steps=4)
        start = time.perf_counter()
        page.mouse.up()
        page.wait_for_function(_SHOWN)
        page.evaluate(_NEXT_FRAMES)
        times.append(time.perf_counter() - start)
    return times


def process_memory(pid: int) -> dict[str, int]:
    """``{"rss": bytes, "peak": bytes}``: resident memory of process ``pid`` now and at its
    highest (``VmRSS`` and ``VmHWM`` of ``/proc/<pid>/status``; Linux only).

    Raises:
        OSError: no such process, or no ``/proc``.
    """
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return {"rss": fields["VmRSS"], "peak": fields["VmHWM"]}


@contextlib.contextmanager
def served(runs_dir, timeout: float = 120.0, env: dict | None = None) -> Iterator[tuple[str, int]]:
    """``with served(runs_dir) as (base_url, pid):`` ``flambeau serve`` in its own process on a
    free loopback port (so that its memory is its own), stopped on exit; ``env``: its
    environment (default: this process's).

    Raises:
        RuntimeError: the server exited, or did not answer within ``timeout`` seconds.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "flambeau", "serve", "--runs", str(runs_dir), "--port", str(port)]
    log = tempfile.TemporaryFile("w+")  # a file, not a pipe: the request log never blocks the server
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"served: the server exited with {process.returncode}: "
                                   f"{log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"served: no answer from {base} within {timeout:.0f} s") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
