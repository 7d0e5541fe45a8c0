"""Make ``docs/screenshot_study.png``: the study page of the report's experiment (USPS 1 vs 7,
100 images per class, hidden 32 and 64, anomalies 4 and 3, UMAP maps) with a box selection.

    .venv/bin/python docs/screenshot_study.py [--runs runs] [--out docs/screenshot_study.png]

Runs the study first when ``runs/signature_17_100_a43`` is missing (about a minute, most of it
compiling UMAP). Needs Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from flambeau.signatures import SignatureConfig, run_signatures

CONFIG = SignatureConfig(classes=(1, 7), n_per_class=100, hidden=(32, 64), anomalies=(4, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--out", default=str(Path(__file__).with_name("screenshot_study.png")))
    args = parser.parse_args()
    if not (Path(args.runs) / CONFIG.name / "study.json").is_file():
        run_signatures(CONFIG, args.runs)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from flambeau.app import create_app

    httpd = make_server("127.0.0.1", 0, create_app(args.runs).server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{httpd.server_port}/study/{CONFIG.name}")
        page.wait_for_selector("#sankey .sankey-link")
        box = page.locator("#scatters .js-plotly-plot").first.locator(".nsewdrag").first.bounding_box()
        page.mouse.move(box["x"] + 0.02 * box["width"], box["y"] + 0.02 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.45 * box["width"], box["y"] + 0.98 * box["height"], steps=8)
        page.mouse.up()
        page.wait_for_function("document.querySelector('#selection-info').textContent.includes('selected (')")
        page.wait_for_timeout(1500)  # let the Sankey transition finish
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    httpd.shutdown()
    print(f"screenshot: {args.out}")


if __name__ == "__main__":
    main()
