"""Malformed requests, as a broken page or an attacker sends them: every one is answered with a
message in the page or a 4xx, never a 500 nor a traceback in the log; 50 concurrent clients are
all served."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from flambeau.app import create_app

STUDY = "signature_17_30_a4"
SCATTERS = '{"index":["ALL"],"type":"scatter"}'
SELECT = f"..{SCATTERS}.figure...sankey.figure...selection-store.data...selection-info.children.."


@pytest.fixture
def app(runs_dir, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(runs_dir, runs)
    return create_app(runs)


def _prop(element, prop, value):
    return {"id": element, "property": prop, "value": value}


def _export_body(name, color_by="label"):
    return {"output": "..export-download.data...export-message.children..",
            "outputs": [{"id": "export-download", "property": "data"},
                        {"id": "export-message", "property": "children"}],
            "inputs": [_prop("export-button", "n_clicks", 1)], "changedPropIds": ["export-button.n_clicks"],
            "state": [_prop("study-name", "data", name), _prop("color-by", "value", color_by)]}


def _select_body(scatter_selection=None, sankey_click=None, trigger="scatter-selection.data",
                 name=STUDY, stored=None, n_maps=2):
    ids = [{"index": j, "type": "scatter"} for j in range(n_maps)]
    return {"output": SELECT,
            "outputs": [[{"id": i, "property": "figure"} for i in ids],
                        {"id": "sankey", "property": "figure"}, {"id": "selection-store", "property": "data"},
                        {"id": "selection-info", "property": "children"}],
            "inputs": [_prop("scatter-selection", "data", scatter_selection),
                       _prop("sankey", "clickData", sankey_click), _prop("color-by", "value", "label"),
                       _prop("clear-selection", "n_clicks", 0)],
            "changedPropIds": [trigger],
            "state": [_prop("study-name", "data", name), _prop("selection-store", "data", stored),
                      [_prop(i, "id", i) for i in ids]]}


def _form_body(**values):
    from flambeau.app.callbacks import FORM_FIELDS

    defaults = {"form-dataset": "usps", "form-classes": "1 7", "form-n": 100, "form-hidden": "32 64",
                "form-anomalies": "4 3", "form-epochs": 30, "form-activation": "relu",
                "form-projection": "umap", "form-method": "kmeans"}
    defaults.update(values)
    return {"output": "form-message.children", "outputs": {"id": "form-message", "property": "children"},
            "inputs": [_prop("form-start", "n_clicks", 1)], "changedPropIds": ["form-start.n_clicks"],
            "state": [_prop(key, "value", defaults[key]) for key in FORM_FIELDS]}


def _post(client, body):
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def _page_text(response) -> str:
    """Every string of a callback response (the messages shown in the page)."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(response.get_json())
    return " ".join(found)


# (body, text the page must show)
CALLBACK_PROBES = {
    "export, unknown study": (_export_body("gone"), "Cannot export: unknown study 'gone'"),
    "export, null study": (_export_body(None), "Cannot export: unknown study None"),
    "export, study not a string": (_export_body({"a": 1}), "Cannot export: unknown study {'a': 1}"),
    "export, colour not a choice": (_export_body(STUDY, color_by=["x"]),
                                    "Cannot export: colour by must be one of"),
    "selection of strings": (_select_body({"index": 0, "indices": ["a", "b"]}),
                             "Cannot select: sample indices must be whole numbers, got ['a', 'b']"),
    "selection index 10^30": (_select_body({"index": 0, "indices": [10**30]}),
                              "Cannot select: sample index 1000000000000000000000000000000 is outside 0..74"),
    "selection not a dict": (_select_body("x"), "Cannot select: a map selection must be an object, got 'x'"),
    "selection indices not a list": (_select_body({"index": 0, "indices": 5}),
                                     "Cannot select: sample indices must be a list, got 5"),
    "selection map index a string": (_select_body({"index": "x", "indices": [1]}),
                                     "Cannot select: map index must be a whole number, got 'x'"),
    "sankey click 'x'": (_select_body(sankey_click="x", trigger="sankey.clickData"),
                         "Cannot select: Sankey click data must be an object with a list of points, got 'x'"),
    "sankey points not a list": (_select_body(sankey_click={"points": 3}, trigger="sankey.clickData"),
                                 "Cannot select: Sankey click data must be an object"),
    "stored selection garbage": (_select_body(stored="x", trigger="color-by.value"),
                                 "Cannot select: sample indices must be a list, got 'x'"),
    "selection, deleted study": (_select_body({"index": 0, "indices": [1]}, name="gone"),
                                 "unknown study 'gone'"),
    "form samples [1]": (_form_body(**{"form-n": [1]}),
                         "Cannot start: samples / class must be a whole number, got [1]"),
    "form epochs '1e999'": (_form_body(**{"form-epochs": "1e999"}),
                            "Cannot start: epochs must be a whole number, got '1e999'"),
    "form epochs 'abc'": (_form_body(**{"form-epochs": "abc"}),
                          "Cannot start: epochs must be a whole number, got 'abc'"),
    "form classes a dict": (_form_body(**{"form-classes": {"a": 1}}),
                            "Cannot start: classes must be integers separated by spaces, got {'a': 1}"),
    "form dataset a list": (_form_body(**{"form-dataset": ["usps"]}),
                            "Cannot start: dataset must be a name, got ['usps']"),
    "form method a dict": (_form_body(**{"form-method": {"a": 1}}),
                           "Cannot start: method must be a name, got {'a': 1}"),
    "form samples 10^400": (_form_body(**{"form-n": 10**400}),
                            "Cannot start: samples / class must be a whole number"),
    "form classes of 5000 digits": (_form_body(**{"form-classes": "1" * 5000}),
                                    "Cannot start: classes must be integers separated by spaces"),
    "page path a number": ({"output": "page.children", "outputs": {"id": "page", "property": "children"},
                            "inputs": [_prop("url", "pathname", 5)], "changedPropIds": ["url.pathname"]},
                           "There is no page at 5."),
}


@pytest.mark.parametrize("probe", list(CALLBACK_PROBES))
def test_malformed_callback_values_give_a_message_in_the_page(app, probe, caplog):
    body, message = CALLBACK_PROBES[probe]
    with caplog.at_level(logging.WARNING):
        response = _post(app.server.test_client(), body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert message in _page_text(response)
    assert "Traceback" not in caplog.text


def test_export_of_a_deleted_study_is_a_message(app):
    client = app.server.test_client()
    assert _post(client, _export_body(STUDY)).get_json()["response"]["export-download"]["data"]["filename"] \
        == f"{STUDY}.html"
    shutil.rmtree(app.jobs.runs_dir / STUDY)
    response = _post(client, _export_body(STUDY))
    assert response.status_code == 200
    assert response.get_json()["response"]["export-message"]["children"].startswith(
        f"Cannot export: unknown study '{STUDY}': no {STUDY}/study.json in")


GARBAGE_BODIES = {
    "{}": {}, "[]": [], "null": None, "a number": 3, "a string": "x",
    "unknown output": {"output": "nope.children", "outputs": {"id": "nope", "property": "children"},
                       "inputs": [], "changedPropIds": []},
    "output of a callback, no inputs": {"output": "..export-download.data...export-message.children.."},
    "inputs not a list": {**_export_body(STUDY), "inputs": "x"},
    "state of the wrong length": {**_export_body(STUDY), "state": []},
    "outputs garbage": {**_select_body({"index": 0, "indices": [1]}), "outputs": 7},
}


@pytest.mark.parametrize("probe", list(GARBAGE_BODIES))
def test_garbage_callback_bodies_get_a_400_and_one_log_line(app, probe, caplog):
    with caplog.at_level(logging.INFO):
        response = _post(app.server.test_client(), GARBAGE_BODIES[probe])
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_data(as_text=True).startswith("Bad request: ")
    assert "Traceback" not in response.get_data(as_text=True) and "Traceback" not in caplog.text
    lines = [r for r in caplog.records if r.name == "flambeau.app.server"]
    assert len(lines) == 1 and "POST /_dash-update-component" in lines[0].getMessage()


def test_invalid_json_body_gets_a_400(app):
    response = app.server.test_client().post("/_dash-update-component", data="{not json",
                                             content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("url", [
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/..%2F..%2F..%2Fetc%2Fpasswd",
    "/_dash-component-suites/os/path.py",
    "/_dash-component-suites/flambeau/app/server.py",
    "/_dash-component-suites/dash/deps/nope.js",
    "/_dash-component-suites/../../etc/passwd",
])
def test_component_suite_traversal_is_refused(app, url, caplog):
    client = app.server.test_client()
    client.get("/")  # the index registers the paths Dash serves
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:200])
    assert "root:" not in response.get_data(as_text=True)
    assert "Traceback" not in caplog.text


def test_the_page_routes_still_work(app):
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200
    response = _post(client, _select_body({"index": 0, "indices": [1, 2, 3]}))
    assert response.status_code == 200 and "3 samples selected" in _page_text(response)


def test_50_concurrent_clients_are_all_answered(app):
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    requests = [("GET", "/", None), ("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None),
                ("POST", "/_dash-update-component", _select_body({"index": 0, "indices": [1, 2]})),
                ("POST", "/_dash-update-component", _select_body("x")),
                ("POST", "/_dash-update-component", {}),
                ("POST", "/_dash-update-component", _export_body("gone"))]

    def client(k):
        statuses = []
        for method, path, body in requests[k % len(requests):] + requests[:k % len(requests)]:
            data = None if body is None else json.dumps(body).encode()
            request = urllib.request.Request(base + path, data=data, method=method,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        return statuses

    try:
        with ThreadPoolExecutor(50) as pool:
            statuses = [s for result in pool.map(client, range(50)) for s in result]
    finally:
        httpd.shutdown()
    assert len(statuses) == 50 * len(requests)
    assert sorted(set(statuses)) == [200, 400]
    assert statuses.count(400) == 50  # the empty body; everything else is answered in the page


def _hover_body(hover_data, name=STUDY):
    tooltip = {"index": 0, "type": "tooltip"}
    output = '{"index":["MATCH"],"type":"tooltip"}'
    return {"output": f"..{output}.show...{output}.bbox...{output}.children..",
            "outputs": [{"id": tooltip, "property": p} for p in ("show", "bbox", "children")],
            "inputs": [_prop({"index": 0, "type": "scatter"}, "hoverData", hover_data)],
            "changedPropIds": ['{"index":0,"type":"scatter"}.hoverData'],
            "state": [_prop("study-name", "data", name),
                      _prop({"index": 0, "type": "scatter"}, "id", {"index": 0, "type": "scatter"})]}


@pytest.mark.parametrize("hover_data", [
    "x", {"points": "x"}, {"points": [3]}, {"points": [{}]}, {"points": [{"customdata": 10**30}]},
    {"points": [{"customdata": "a"}]}, {"points": [{"customdata": -1}]}, {"points": [{"customdata": 1.5}]}])
def test_malformed_hover_data_hides_the_tooltip(app, hover_data):
    response = _post(app.server.test_client(), _hover_body(hover_data))
    assert response.status_code == 200
    assert response.get_json()["response"]['{"index":0,"type":"tooltip"}'] == {"show": False}


def test_hover_shows_the_sample(app):
    response = _post(app.server.test_client(), _hover_body({"points": [{"customdata": [4], "bbox": {}}]}))
    tooltip = response.get_json()["response"]['{"index":0,"type":"tooltip"}']
    assert tooltip["show"] is True and _page_text(response).startswith("data:image/png;base64,")
    assert "#4: " in _page_text(response)
