"""Linked selection: correctness, and the server-side cost of a selection on 10,000 samples
and 3 hidden layers (the app promises a redraw under 1 s)."""

import re
import time

import numpy as np
import pytest
from dash import no_update
from plotly.io.json import to_json_plotly

from flambeau.app.callbacks import selection_outputs
from flambeau.app.figures import sankey_figure, scatter_figure
from flambeau.app.selection import (
    SelectionError,
    indices_from_sankey,
    indices_from_scatter,
    mask_of,
    sample_indices,
    update_views,
)


def test_selection_from_scatter_and_sankey_events(synthetic):
    study = synthetic(50, 2)
    assert indices_from_scatter({"points": [{"customdata": 4}, {"customdata": [7]}]}, 50).tolist() == [4, 7]
    reduced_in_the_browser = {"index": 0, "indices": [2, 9]}
    assert indices_from_scatter(reduced_in_the_browser, 50).tolist() == [2, 9]
    assert indices_from_scatter({"index": 0, "indices": None}, 50) is None
    assert indices_from_scatter(None, 50) is None and indices_from_scatter({}, 50) is None
    node = study.paths.node_labels.index("anomaly 9")
    assert indices_from_sankey(study, {"points": [{"customdata": f"node:{node}"}]}).tolist() == \
        np.flatnonzero(study.is_anomaly).tolist()
    expected = study.paths.samples_of_link(0)
    assert indices_from_sankey(study, {"points": [{"customdata": "link:0"}]}).tolist() == expected.tolist()
    assert indices_from_sankey(study, {"points": [{"customdata": "node:99999"}]}) is None
    assert indices_from_sankey(study, {"points": [{"label": "x"}]}) is None
    assert mask_of(5, [1, 3, 4.0]).tolist() == [False, True, False, True, True]
    assert mask_of(5, None) is None and mask_of(5, []).tolist() == [False] * 5


@pytest.mark.parametrize("values, message", [
    ("x", "sample indices must be a list, got 'x'"),
    ({"a": 1}, "sample indices must be a list, got {'a': 1}"),
    (["a", 1], "sample indices must be whole numbers, got ['a', 1]"),
    ([1.5], "sample indices must be whole numbers, got [1.5]"),
    ([True], "sample indices must be whole numbers, got [True]"),
    ([None], "sample indices must be whole numbers, got [None]"),
    ([[1], [2, 3]], "sample indices must be whole numbers, got [[1], [2, 3]]"),
    ([float("nan")], "sample indices must be whole numbers, got [nan]"),
    ([10**30], "sample index 1000000000000000000000000000000 is outside 0..4"),
    ([2**63], "sample index 9223372036854775808 is outside 0..4"),
    ([1, -1], "sample index -1 is outside 0..4"),
    ([5], "sample index 5 is outside 0..4"),
    (list(range(100)) + ["x"], "sample indices must be whole numbers, got [0, 1, 2"),
])
def test_sample_indices_refuse_what_names_no_sample(values, message):
    with pytest.raises(SelectionError) as info:
        sample_indices(values, 5)
    assert str(info.value).startswith(message)
    assert len(str(info.value)) < 130


@pytest.mark.parametrize("event, message", [
    ("x", "a map selection must be an object, got 'x'"),
    ({"points": "x"}, "a map selection's points must be a list of objects, got 'x'"),
    ({"points": [3]}, "a map selection's points must be a list of objects, got [3]"),
    ({"indices": [50]}, "sample index 50 is outside 0..49"),
])
def test_malformed_map_selections(event, message):
    with pytest.raises(SelectionError, match=re.escape(message)):
        indices_from_scatter(event, 50)


@pytest.mark.parametrize("click", ["x", 3, ["node:1"], {"points": "x"}, {"points": [1]}])
def test_malformed_sankey_clicks(synthetic, click):
    with pytest.raises(SelectionError, match="Sankey click data must be an object with a list of points"):
        indices_from_sankey(synthetic(20, 2), click)


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
    with pytest.raises(SelectionError, match=r"colour by must be one of \['label', 'cluster', "
                                             r"'prediction'\], got 'shape'"):
        selection_outputs(study, "color-by", event, None, "shape", [3], 2)
    with pytest.raises(SelectionError, match="map index must be a whole number, got 'x'"):
        selection_outputs(study, "scatter-selection", {"index": "x", "indices": [1]}, None, "label", None, 2)


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
