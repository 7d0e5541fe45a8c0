"""Responsiveness of the signature app with 10,000 samples and 3 hidden layers.

Server side (always): the selection callback (``selection_outputs``: patches of every map's
``selectedpoints`` + the new Sankey) plus JSON serialisation of what goes to the browser,
alternated with the full redraw that a colour change costs (the reference), medians of 9.

Browser side (``--browser``): the real app in Debian's Chromium; time from a box selection
drag in the first map to the selection summary and Sankey title showing it, median of 5.

    .venv/bin/python benchmarks/bench_signature_app.py [--n 10000] [--layers 3] [--browser]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
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


def browser_side(n: int, n_layers: int, repeats: int = 5) -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from flambeau.app import create_app
    from flambeau.app.responsiveness import time_box_selections

    runs = tempfile.mkdtemp(prefix="bench_app_")
    write_synthetic_run(runs, "synthetic_big", n, n_layers)
    httpd = make_server("127.0.0.1", 0, create_app(runs).server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{httpd.server_port}/study/synthetic_big")
        page.wait_for_selector("#sankey .sankey-link")
        times = time_box_selections(page, [0.3 + 0.1 * i for i in range(repeats)])
        browser.close()
    httpd.shutdown()
    print(f"browser (Chromium), {n} samples x {n_layers} layers: box selection -> summary and Sankey "
          f"redrawn in {1000 * statistics.median(times):.0f} ms (median of {repeats}; "
          f"all: {', '.join(f'{1000 * t:.0f}' for t in times)} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also time the real page in Chromium")
    args = parser.parse_args()
    server_side(args.n, args.layers)
    if args.browser:
        browser_side(args.n, args.layers)


if __name__ == "__main__":
    main()
