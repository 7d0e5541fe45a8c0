"""Responsiveness of the signature app: 10,000 samples x 3 hidden layers, or 70,000 x 8.

Server side (always): the selection callback (``selection_outputs``: patches of every map's
``selectedpoints`` + the new Sankey) plus JSON serialisation of what goes to the browser,
alternated with the full redraw that a colour change costs (the reference), medians of 9.

Browser side (``--browser``): ``flambeau serve`` in its own process over a synthetic study, the
page in Debian's headless Chromium: the first render (request to every map and the Sankey
drawn; the first visit after the server started, which loads the study, then the median of 3
more), the time from a box selection's mouse release in the first map to the summary and the
Sankey redrawn (median of ``--repeats`` after one warm-up), and the server's resident memory
(now and at its peak).

    .venv/bin/python benchmarks/bench_signature_app.py [--n 70000] [--layers 8] [--browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
from plotly.io.json import to_json_plotly

from flambeau.app.callbacks import selection_outputs
from flambeau.app.synthetic import synthetic_run, write_synthetic_run


def _serialize(outputs) -> str:
    figures, sankey, stored, text = outputs
    payload = [f.to_plotly_json() if hasattr(f, "to_plotly_json") else f for f in figures]
    return to_json_plotly([payload, sankey, stored, text])


def server_side(n: int, n_layers: int, repeats: int = 9) -> None:
    study = synthetic_run(n, n_layers)
    rng = np.random.default_rng(0)
    select_times, recolour_times = [], []
    for i in range(repeats + 1):
        chosen = rng.choice(n, size=n * 3 // 10, replace=False)
        event = {"index": 0, "indices": chosen.tolist()}  # as the browser sends it
        start = time.perf_counter()
        _serialize(selection_outputs(study, "scatter-selection", event, None, "label", None, n_layers))
        middle = time.perf_counter()
        _serialize(selection_outputs(study, "color-by", None, None, ["label", "cluster"][i % 2],
                                     chosen.tolist(), n_layers))
        end = time.perf_counter()
        if i:  # the first round fills the per-study caches
            select_times.append(middle - start)
            recolour_times.append(end - middle)
    sel, ref = statistics.median(select_times), statistics.median(recolour_times)
    print(f"server, {n} samples x {n_layers} layers, selection of {n * 3 // 10}: "
          f"selection callback + JSON {1000 * sel:.1f} ms (median of {repeats}); full redraw "
          f"(colour change) {1000 * ref:.1f} ms; ratio {sel / ref:.2f}")


def browser_side(n: int, n_layers: int, repeats: int = 3, server_src: str | None = None) -> None:
    from playwright.sync_api import sync_playwright

    from flambeau.app.responsiveness import process_memory, served, time_box_selections, time_first_render

    with tempfile.TemporaryDirectory(prefix="bench_app_") as runs:
        write_synthetic_run(runs, "synthetic_big", n, n_layers)
        env = {**os.environ, "PYTHONPATH": server_src} if server_src else None
        with served(runs, env=env) as (base, pid), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            url = f"{base}/study/synthetic_big"
            cold = time_first_render(page, url, n_layers)
            warm = [time_first_render(page, url, n_layers) for _ in range(3)]
            times = time_box_selections(page, [0.25 + 0.1 * i for i in range(repeats + 1)])
            memory = process_memory(pid)
            browser.close()
    print(f"browser (Chromium), {n} samples x {n_layers} layers, server from {server_src or 'this version'}, "
          f"load average {os.getloadavg()[0]:.1f}:")
    print(f"  first render {cold:.2f} s (first visit, the server loads the study), then median "
          f"{statistics.median(warm):.2f} s (all: {', '.join(f'{t:.2f}' for t in warm)} s)")
    median = statistics.median(times[1:])
    print(f"  box selection -> summary and Sankey redrawn: median {1000 * median:.0f} ms of {repeats} "
          f"after a warm-up (all: {', '.join(f'{1000 * t:.0f}' for t in times)} ms)")
    print(f"  server memory: resident {memory['rss'] / 2**20:.0f} MiB, peak {memory['peak'] / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=70_000)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3, help="box selections timed in the browser")
    parser.add_argument("--browser", action="store_true", help="also time the real page in Chromium")
    parser.add_argument("--server-src", default=None,
                        help="src folder of another version of flambeau for the server (to compare)")
    args = parser.parse_args()
    server_side(args.n, args.layers)
    if args.browser:
        browser_side(args.n, args.layers, args.repeats, args.server_src)


if __name__ == "__main__":
    main()
