"""Linked selection: correctness, and the server-side cost of a selection on 10,000 samples
and 3 hidden layers (the app promises a redraw under 1 s)."""

import time

import numpy as np
from dash import no_update
from plotly.io.json import to_json_plotly

from flambeau.app.callbacks import selection_outputs
from flambeau.app.figures import sankey_figure, scatter_figure
from flambeau.app.selection import indices_from_sankey, indices_from_scatter, mask_of, update_views


def test_selection_from_scatter_and_sankey_events(synthetic):
    study = synthetic(50, 2)
    assert indices_from_scatter({"points": [{"customdata": 4}, {"customdata": [7]}]}).tolist() == [4, 7]
    assert indices_from_scatter({"index": 0, "indices": [2, 9]}).tolist() == [2, 9]  # reduced in the browser
    assert indices_from_scatter({"index": 0, "indices": None}) is None
    assert indices_from_scatter(None) is None and indices_from_scatter({}) is None
    node = study.paths.node_labels.index("anomaly 9")
    assert indices_from_sankey(study, {"points": [{"customdata": f"node:{node}"}]}).tolist() == \
        np.flatnonzero(study.is_anomaly).tolist()
    expected = study.paths.samples_of_link(0)
    assert indices_from_sankey(study, {"points": [{"customdata": "link:0"}]}).tolist() == expected.tolist()
    assert indices_from_sankey(study, {"points": [{"customdata": "node:99999"}]}) is None
    assert indices_from_sankey(study, {"points": [{"label": "x"}]}) is None
    assert mask_of(5, [1, 3, 9]).tolist() == [False, True, False, True, False]
    assert mask_of(5, None) is None


def test_views_follow_the_selection(synthetic):
    study = synthetic(200, 2)
    mask = mask_of(200, np.arange(0, 200, 3))
    points, sankey = update_views(study, mask, "label")
    for layer, layer_points in enumerate(points):
        figure = scatter_figure(study, layer, "label")
        chosen = np.concatenate([np.asarray(tr["customdata"])[pts] for tr, pts
                                 in zip(figure["data"], layer_points, strict=True)])
        assert sorted(chosen.tolist()) == np.flatnonzero(mask).tolist()
    link = sankey["data"][0]["link"]
    orange = np.array([c == link["color"][0] for c in link["color"]])
    # each sample crosses L + 1 = 3 column gaps: selected flows sum to 3 * |selection|
    assert np.asarray(link["value"])[orange].sum() == 3 * mask.sum()
    assert np.asarray(link["value"]).sum() == 3 * 200
    assert sankey_figure(study)["data"][0]["link"]["value"].sum() == 600
    assert update_views(study, None)[0][0][0] is None


def test_callback_outputs_for_each_trigger(synthetic):
    study = synthetic(100, 2)
    event = {"index": 1, "indices": [3, 5, 8]}
    figures, sankey, stored, text = selection_outputs(study, "scatter-selection", event, None, "label", None,
                                                      2)
    assert stored == [3, 5, 8] and text.startswith("3 samples selected (")
    assert "3 selected" in sankey["layout"]["title"]["text"]
    assert type(figures[0]).__name__ == "Patch" and figures[1] is no_update  # plotly drew the source
    figures, _, stored, _ = selection_outputs(study, "color-by", event, None, "cluster", [3, 5], 2)
    assert stored == [3, 5] and figures[0]["data"][0]["name"].startswith("cluster")
    _, _, stored, text = selection_outputs(study, "clear-selection", event, None, "label", [3], 2)
    assert stored is None and text == "No selection."


def _serialized_selection(study, event):
    figures, sankey, stored, text = selection_outputs(study, "scatter-selection", event, None, "label", None,
                                                      3)
    payload = [f.to_plotly_json() if hasattr(f, "to_plotly_json") else f for f in figures]
    return to_json_plotly([payload, sankey, stored, text])


def test_a_selection_redraws_in_under_a_second_with_10k_samples_and_3_layers(synthetic):
    study = synthetic(10_000, 3)
    rng = np.random.default_rng(0)
    events = [{"index": 0, "indices": rng.choice(study.n, 3000, replace=False).tolist()} for _ in range(5)]
    _serialized_selection(study, events[0])  # warm the per-study trace cache
    times = []
    for event in events:
        start = time.perf_counter()
        _serialized_selection(study, event)
        times.append(time.perf_counter() - start)
    median = sorted(times)[len(times) // 2]
    assert median < 1.0, f"selection callback + JSON took {median:.3f} s (median of 5)"
