"""Dash callbacks: routing, the new-study form, linked selection, hover images, export."""

from __future__ import annotations

import logging
import math
import re

import numpy as np
from dash import ALL, MATCH, Input, Output, Patch, State, ctx, html, no_update

from ..signatures.config import SignatureConfig
from .export import export_html
from .figures import COLOR_BY, sankey_figure, scatter_figure
from .images import png_data_uri
from .jobs import JobRunner
from .pages import home_page, message_page, run_page, studies_table
from .raster import is_raster, nearest_sample
from .selection import (
    SelectionError,
    indices_from_map,
    indices_from_sankey,
    map_images,
    map_index,
    mask_of,
    sample_indices,
    update_views,
)
from .store import RunError, SignatureRun, list_presets, list_runs, load_run, rows_digest

__all__ = ["FORM_FIELDS", "parse_form", "register_callbacks", "selection_outputs"]

log = logging.getLogger(__name__)
_STUDY_PATH = re.compile(r"^/study/(.+?)/?$")


FORM_FIELDS = {
    "form-dataset": "dataset", "form-classes": "classes", "form-n": "n_per_class",
    "form-hidden": "hidden", "form-anomalies": "anomalies", "form-epochs": "epochs",
    "form-activation": "activation", "form-projection": "projection", "form-method": "method",
}
"""Element id of each input of the new-study form -> the ``SignatureConfig`` field it sets."""


def parse_form(values: dict) -> SignatureConfig:
    """A ``SignatureConfig`` from the form's raw values, ``{element id: value}`` (``FORM_FIELDS``);
    a field left out keeps the config's default.

    Raises:
        ValueError: with a message for the page (e.g. ``classes must be integers separated by
        spaces, got '1 x'``).
    """
    unknown = sorted(set(values) - set(FORM_FIELDS))
    if unknown:
        raise ValueError(f"unknown form fields {unknown}; expected some of {sorted(FORM_FIELDS)}")

    def numbers(label, text):
        tokens = re.split(r"[\s,]+", str(text or "").strip())
        tokens = [t for t in tokens if t]
        if not isinstance(text, (str, int, type(None))) or isinstance(text, bool) or \
                not all(re.fullmatch(r"-?\d{1,9}", t) for t in tokens):
            raise ValueError(f"{label} must be integers separated by spaces, got {text!r}")
        return tuple(int(t) for t in tokens)

    def integer(label, value):
        try:
            number = float(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) \
                else math.nan
        except (ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number) or not number.is_integer():
            raise ValueError(f"{label} must be a whole number, got {value!r}")
        return int(number)

    def name(label, value):
        if not isinstance(value, str):
            raise ValueError(f"{label} must be a name, got {value!r}")
        return value

    parsers = {"classes": lambda v: numbers("classes", v),
               "hidden": lambda v: numbers("hidden widths", v),
               "anomalies": lambda v: numbers("anomalies", v),
               "n_per_class": lambda v: integer("samples / class", v),
               "epochs": lambda v: integer("epochs", v)}
    fields = {FORM_FIELDS[key]: value for key, value in values.items()}
    return SignatureConfig(**{field: parsers.get(field, lambda v, f=field: name(f, v))(value)
                          for field, value in fields.items()})


def _selection_text(study: SignatureRun, mask) -> str:
    if mask is None:
        return "No selection."
    keys = np.where(study.is_anomaly[mask], "anomaly ", "") + study.y_true[mask].astype(str)
    values, counts = np.unique(keys, return_counts=True)
    detail = ", ".join(f"{v}: {c}" for v, c in zip(values, counts, strict=True))
    return f"{int(mask.sum())} samples selected ({detail or 'none'})."


# Runs in the browser: reduces a scatter's selectedData (x, y, bbox... of every selected point,
# hundreds of kB for thousands of points) to the sample indices before anything goes to the server,
# with the box or lasso drawn (what a map drawn as an image is selected by).
COMPACT_SELECTION_JS = """
function (selected) {
    const trigger = dash_clientside.callback_context.triggered_id;
    if (!trigger || trigger.index === undefined) { return dash_clientside.no_update; }
    const data = selected[trigger.index];
    // the click that starts a new box clears the old one: no points and no shape, nothing to send
    if (data && !data.range && !data.lassoPoints && data.points && data.points.length === 0) {
        return dash_clientside.no_update;
    }
    const indices = data && data.points ? data.points.map(p => p.customdata) : null;
    const out = {index: trigger.index, indices: indices};
    if (data && data.range) { out.range = data.range; }
    if (data && data.lassoPoints) { out.lasso = data.lassoPoints; }
    return out;
}
"""


def selection_outputs(study: SignatureRun, trigger, scatter_selection, sankey_click, color_by: str, stored,
                      n_maps: int):
    """Outputs of the selection callback: scatter figures (full, or patches of their
    ``selectedpoints``), the Sankey, the selection to store, and the summary line.

    Args:
        trigger: the id of the input that fired (``"scatter-selection"``, ``"sankey"``,
            ``"color-by"`` or ``"clear-selection"``).
        scatter_selection: ``{"index": j, "indices": [...] or None}``, the samples selected in
            map ``j`` (reduced in the browser from its ``selectedData``).
        sankey_click: the Sankey's ``clickData``.
        stored: the selected sample indices kept from before (or None).
        n_maps: number of scatter maps on the page.

    Raises:
        SelectionError: a selection, click or colour that names nothing of the study (message for
        the page).
    """
    check_color_by(color_by)
    if trigger in ("color-by", "clear-selection"):
        indices = stored if trigger == "color-by" else None
        mask = mask_of(study.n, indices)
        figures = [scatter_figure(study, j, color_by, mask) for j in range(n_maps)]
        _, sankey = update_views(study, mask, color_by)
    else:
        source = None
        if trigger == "sankey":
            indices = indices_from_sankey(study, sankey_click)
        else:
            source = map_index(scatter_selection)
            indices = indices_from_map(study, scatter_selection)
        mask = mask_of(study.n, indices)
        if is_raster(study):  # every map is an image: redraw them all, the one selected in too
            return (_image_patches(map_images(study, mask, color_by)), sankey_figure(study, mask),
                    None if mask is None else np.flatnonzero(mask).tolist(), _selection_text(study, mask))
        points, sankey = update_views(study, mask, color_by)
        figures = []
        for j, layer_points in enumerate(points):
            if j == source:
                figures.append(no_update)  # plotly already shows the selection it made
                continue
            patch = Patch()
            for t, pts in enumerate(layer_points):
                patch["data"][t]["selectedpoints"] = pts
            figures.append(patch)
    stored = None if mask is None else np.flatnonzero(mask).tolist()
    return figures, sankey, stored, _selection_text(study, mask)


def _image_patches(sources: list[str]) -> list[Patch]:
    patches = []
    for source in sources:
        patch = Patch()
        patch["layout"]["images"][0]["source"] = source
        patches.append(patch)
    return patches


def hovered_sample(study: SignatureRun, point: dict, graph_id) -> int | None:
    """The sample under the pointer: a marker's ``customdata``, or on a map drawn as an image
    the sample nearest to the hovered cell (None where there is none).

    Raises:
        SelectionError: a point or map id naming nothing of the study.
    """
    customdata = point.get("customdata")
    if customdata is None and is_raster(study):
        layer = map_index(graph_id if isinstance(graph_id, dict) else None)
        x, y = point.get("x"), point.get("y")
        if layer is None or not 0 <= layer < len(study.layer_names) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
            raise SelectionError(f"a hovered map point needs a map index and x, y, got {_shown_point(point)}")
        return nearest_sample(study, layer, float(x), float(y))
    return int(sample_indices([customdata[0] if isinstance(customdata, list) else customdata], study.n)[0])


def _shown_point(point: dict) -> str:
    return repr({k: point.get(k) for k in ("x", "y", "customdata")})[:80]


def check_color_by(color_by) -> None:
    """Raises SelectionError unless ``color_by`` is one of ``COLOR_BY``."""
    if not isinstance(color_by, str) or color_by not in COLOR_BY:
        raise SelectionError(f"colour by must be one of {list(COLOR_BY)}, got {color_by!r}")


def register_callbacks(app, runs_dir, jobs: JobRunner) -> None:
    """Attach every callback of the app to ``app``."""

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def route(pathname):
        pathname = pathname or "/"
        if not isinstance(pathname, str):
            return message_page(f"There is no page at {pathname!r}.", "Page not found")
        try:
            if pathname == "/":
                return home_page(list_runs(runs_dir), list_presets(runs_dir))
            match = _STUDY_PATH.match(pathname)
            if match:
                return run_page(load_run(runs_dir, match.group(1)))
            return message_page(f"There is no page at {pathname!r}.", "Page not found")
        except RunError as error:
            return message_page(str(error))
        except Exception as error:  # noqa: BLE001 -- shown as a message, logged with the trace
            log.exception("cannot render %s", pathname)
            return message_page(f"Could not render {pathname}: {type(error).__name__}: {error}")

    @app.callback(output=Output("form-message", "children"),
                  inputs={"_clicks": Input("form-start", "n_clicks"),
                          "values": {key: State(key, "value") for key in FORM_FIELDS}},
                  prevent_initial_call=True)
    def start_study(_clicks, values):
        try:
            config = parse_form(values)
        except (ValueError, TypeError) as error:
            return html.Span(f"Cannot start: {error}", style={"color": "#a00"}, id="form-error")
        return jobs.start(config)

    @app.callback(Output("job-progress", "value"), Output("job-status", "children"),
                  Output("studies-list", "children"), Output("studies-digest", "data"),
                  Output("job-poll", "interval"), Input("job-poll", "n_intervals"),
                  State("studies-digest", "data"))
    def poll(_n, shown_digest):
        state = jobs.state()
        rows = list_runs(runs_dir)
        digest = rows_digest(rows)
        table = no_update if digest == shown_digest else studies_table(rows, list_presets(runs_dir))
        status = "" if state["status"] == "idle" else f"{state['status']}: {state['message']}"
        interval = 1000 if state["status"] == "running" else 3000
        return state["fraction"], status, table, digest, interval

    app.clientside_callback(COMPACT_SELECTION_JS, Output("scatter-selection", "data"),
                            Input({"type": "scatter", "index": ALL}, "selectedData"),
                            prevent_initial_call=True)

    @app.callback(Output({"type": "scatter", "index": ALL}, "figure"), Output("sankey", "figure"),
                  Output("selection-store", "data"), Output("selection-info", "children"),
                  Input("scatter-selection", "data"), Input("sankey", "clickData"),
                  Input("color-by", "value"), Input("clear-selection", "n_clicks"),
                  State("study-name", "data"), State("selection-store", "data"),
                  State({"type": "scatter", "index": ALL}, "id"), prevent_initial_call=True)
    def select(scatter_selection, sankey_click, color_by, _clear, name, stored, _map_ids):
        n_maps = len(ctx.outputs_list[0])
        try:
            study = load_run(runs_dir, name)
            return selection_outputs(study, ctx.triggered_id, scatter_selection, sankey_click, color_by,
                                     stored, n_maps)
        except RunError as error:
            return [no_update] * n_maps, no_update, no_update, str(error)
        except SelectionError as error:
            return [no_update] * n_maps, no_update, no_update, f"Cannot select: {error}"

    @app.callback(Output({"type": "tooltip", "index": MATCH}, "show"),
                  Output({"type": "tooltip", "index": MATCH}, "bbox"),
                  Output({"type": "tooltip", "index": MATCH}, "children"),
                  Input({"type": "scatter", "index": MATCH}, "hoverData"), State("study-name", "data"),
                  State({"type": "scatter", "index": MATCH}, "id"))
    def hover(hover_data, name, graph_id):
        points = hover_data.get("points") if isinstance(hover_data, dict) else None
        if not isinstance(points, list) or not points or not isinstance(points[0], dict):
            return False, no_update, no_update
        point = points[0]
        try:
            study = load_run(runs_dir, name)
            i = hovered_sample(study, point, graph_id)
            if i is None:
                return False, no_update, no_update
            image = study.images[i].reshape(study.image_shape)
        except (RunError, SelectionError):
            return False, no_update, no_update
        kind = "anomaly" if study.is_anomaly[i] else "true"
        text = (f"#{i}: {kind} {study.y_true[i]}, predicted {study.y_pred[i]}, "
                f"path {tuple(int(c) for c in study.clusters[i])}")
        children = [html.Img(src=png_data_uri(image), style={"width": "84px", "imageRendering": "pixelated"}),
                    html.Div(text, style={"fontSize": "12px", "maxWidth": "160px"})]
        return True, point.get("bbox"), children

    @app.callback(Output("export-download", "data"), Output("export-message", "children"),
                  Input("export-button", "n_clicks"), State("study-name", "data"), State("color-by", "value"),
                  prevent_initial_call=True)
    def export(_clicks, name, color_by):
        try:
            check_color_by(color_by)
            study = load_run(runs_dir, name)
        except (RunError, SelectionError) as error:
            return no_update, f"Cannot export: {error}"
        return {"content": export_html(study, color_by), "filename": f"{name.replace('/', '_')}.html"}, ""
