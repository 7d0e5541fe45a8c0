"""How long a study page takes to answer a box selection, measured in a real browser.

Used by the end-to-end test and by ``benchmarks/bench_signature_app.py --browser``. ``page`` is
a Playwright page (duck-typed: the library does not import Playwright) showing a study.
"""

from __future__ import annotations

import time

__all__ = ["time_box_selections"]

_CLEARED = "document.querySelector('#selection-info').textContent === 'No selection.'"
_SHOWN = ("document.querySelector('#selection-info').textContent.includes('selected (') && "
          "document.querySelector('#sankey .gtitle').textContent.includes('selected')")


def time_box_selections(page, rights=(0.3, 0.4, 0.5, 0.6, 0.7)) -> list[float]:
    """Seconds from the mouse release of a box selection in the first map to the summary line and
    the Sankey title showing it, one per box; box ``i`` spans the map's full height and
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
        times.append(time.perf_counter() - start)
    return times
