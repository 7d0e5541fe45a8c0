"""Self-contained HTML reports: figures embedded as base64, our numbers beside the published ones."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..files import dumps, to_jsonable, write_text
from .repeats import within

__all__ = ["comparison_rows", "format_value", "lookup", "render_index", "render_report",
           "write_index", "write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 4px 10px; text-align: left; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ours { background: #eef6ff; } .theirs { background: #fff6e6; }
.skipped { color: #a00; font-weight: bold; }
figure { display: inline-block; margin: 1em; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
"""


def _walk(metrics: dict, key: str):
    """The nodes met along dotted path ``key`` (keys may themselves hold dots, e.g. ``"noise_0.5"``:
    at each level the longest matching key wins). The last item is the value, or None if absent."""
    nodes, node, parts = [metrics], metrics, key.split(".")
    while parts:
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            if isinstance(node, dict) and name in node:
                node, parts = node[name], parts[cut:]
                nodes.append(node)
                break
        else:
            return nodes + [None]
    return nodes


def lookup(metrics: dict, key: str):
    """Value at dotted path ``key`` in nested ``metrics`` (None when absent)."""
    return _walk(metrics, key)[-1]


def _skip_reason(metrics: dict, key: str) -> str | None:
    """The reason of the nearest enclosing ``{"status": "skipped"}`` block on ``key``'s path."""
    for node in _walk(metrics, key):
        if isinstance(node, dict) and node.get("status") == "skipped":
            return node.get("reason", "skipped")
    return None


def format_value(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and "mean" in value:
        text = f"{value['mean']:.4g} ± {value.get('std', 0):.2g}"
        if "min" in value and "max" in value:
            text += f" [{value['min']:.4g}, {value['max']:.4g}]"
        return text
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, (tuple, list)) and value:
        return " / ".join(format_value(v) for v in value)
    return str(value)


def comparison_rows(study, metrics: dict) -> list[dict]:
    """One row per published number: label, ours with the report's recipe (formatted and raw),
    whether the published number lies within our seeds' range, ours with flambeau's recipe if the
    study has one, the published value and its source."""
    rows = []
    theirs = metrics.get("flambeau_recipe")
    for ref in study.references:
        reason = _skip_reason(metrics, ref.key)
        value = lookup(metrics, ref.key)
        ours = f"skipped: {reason.splitlines()[0]}" if reason else format_value(value)
        row = {"key": ref.key, "label": ref.label, "ours": ours, "ours_value": to_jsonable(value),
               "seeds": _seeds(metrics, value), "within": within(ref.reported, value),
               "reported": format_value(ref.reported), "reported_value": to_jsonable(ref.reported),
               "source": ref.source}
        if isinstance(theirs, dict):
            other = None if ref.flambeau_key is None else lookup(theirs, ref.flambeau_key or ref.key)
            row.update(flambeau=format_value(other), flambeau_value=to_jsonable(other),
                       flambeau_seeds=_seeds(theirs, other))
        rows.append(row)
    return rows


def _seeds(metrics: dict, value) -> int:
    """How many runs a number comes from: the recipe's repeats, or a spread's own count."""
    if isinstance(value, dict) and "values" in value:
        return len(value["values"])
    return int(metrics.get("repeats", {}).get("n", 1)) if isinstance(metrics, dict) else 1


def _table(header, rows, classes=None) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            css = classes[i] if classes else ""
            cells.append(f'<td class="{css}">{html.escape(str(cell))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _within_text(within_value) -> str:
    return {True: "yes", False: "no", None: "n/a"}[within_value]


def _recipe_section(study, metrics: dict) -> list[str]:
    rows = metrics.get("recipe") or []
    if not rows:
        return []
    has_ours = study.flambeau_configs is not None
    header = ["setting", "the report says", "report's recipe (run here)"]
    header += ["flambeau's recipe"] if has_ours else []
    header += ["why (where we chose)"]
    body = [[r["name"], r["report"], r["ours"], *([r["flambeau"] or "same"] if has_ours else []), r["why"]]
            for r in rows]
    parts = ["<h2>Recipe: the report's, and ours</h2>", _table(header, body)]
    if has_ours:
        parts.append(f"<p><b>Flambeau's recipe</b> (run after the report's, labelled as ours): "
                     f"{html.escape(study.flambeau_reason)}</p>")
    return parts


def _comparison_section(study, record: dict, metrics: dict) -> list[str]:
    if not study.references:
        return []
    has_ours = isinstance(metrics.get("flambeau_recipe"), dict)
    parts = ["<h2>Our numbers beside the published ones</h2>"]
    if record["size"] != "full":
        parts.append(f"<p class='skipped'>This is a <b>{html.escape(record['size'])}</b> run (reduced "
                     "sizes): compare with the published numbers only after a full run.</p>")
    header = ["quantity", "published", f"ours, report's recipe ({record['size']} run)", "seeds",
              "published within our seeds' range"]
    header += ["ours, flambeau's recipe"] if has_ours else []
    header += ["source"]
    rows = [[r["label"], r["reported"], r["ours"], r["seeds"], _within_text(r["within"]),
             *([r.get("flambeau", "n/a")] if has_ours else []), r["source"]]
            for r in comparison_rows(study, metrics)]
    classes = ["", "num theirs", "num ours", "num", ""] + (["num ours"] if has_ours else []) + [""]
    parts.append(_table(header, rows, classes))
    parts.append("<p>Numbers over several seeds read mean ± std [min, max]; 'within' asks whether the "
                 "published number lies between our lowest and highest seed.</p>")
    return parts


def _body(figures, tables, notes) -> list[str]:
    esc = html.escape
    parts = []
    if notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    for table in tables:
        parts.append(f"<h3>{esc(table.title)}</h3>" + _table(table.header, table.rows))
    for fig in figures:
        data = base64.b64encode(fig.png).decode("ascii")
        parts.append(f"<figure><img alt='{esc(fig.caption)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{esc(fig.caption)}</figcaption></figure>")
    return parts


def render_report(study, record: dict, metrics: dict, figures=(), tables=(), notes=(),
                  flambeau=None) -> str:
    """The HTML text of one run's report (no external resources).

    Order: title and rerun command, the recipe table (report's vs ours), the published numbers
    beside ours, then the report's-recipe run (notes, tables, figures with their captions), then
    flambeau's recipe run if any (``flambeau = (figures, tables, notes)``), the configuration.
    """
    esc = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(study.name)}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{esc(study.title)}</h1><p>{esc(study.summary)}</p>",
             f"<p>Study <code>{esc(study.name)}</code>, size <b>{esc(record['size'])}</b>, seed "
             f"{record['seed']}, {record.get('elapsed_s', 0):.1f} s (wall time, one run), flambeau "
             f"{esc(record.get('flambeau_version', '?'))}. Rerun: <code>{esc(record['command'])}</code></p>"]
    if study.source:
        parts.append(f"<p>Reproduces: {esc(study.source)}</p>")
    if metrics.get("status") == "skipped":
        parts.append(f"<p class='skipped'>SKIPPED: {esc(metrics.get('reason', ''))}</p>")
    parts += _recipe_section(study, metrics)
    parts += _comparison_section(study, record, metrics)
    if figures or tables or notes:
        parts.append("<h2>The report's recipe</h2>")
        parts += _body(figures, tables, notes)
    if flambeau is not None:
        parts.append("<h2>Flambeau's recipe</h2>")
        parts.append(f"<p>{esc(study.flambeau_reason)}</p>")
        parts += _body(*flambeau)
    parts.append("<h2>Configuration</h2><pre>" + esc(dumps(record))
                 + "</pre>")
    parts.append("<details><summary>All metrics (metrics.json)</summary><pre>"
                 + esc(dumps(metrics)) + "</pre></details>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(path, study, record, metrics, figures=(), tables=(), notes=(), flambeau=None) -> Path:
    return write_text(path, render_report(study, record, metrics, figures, tables, notes, flambeau))


def render_index(entries: list[dict]) -> str:
    """``runs/index.html``: one row per study with its status and a link to its report."""
    rows = []
    for e in entries:
        link = f"<a href='{html.escape(e['name'])}/report.html'>{html.escape(e['name'])}</a>"
        status = html.escape(e.get("status", "?"))
        if e.get("reason"):
            status += ": " + html.escape(e["reason"])
        rows.append(f"<tr><td>{link}</td><td>{html.escape(e.get('title', ''))}</td>"
                    f"<td>{status}</td><td class='num'>{e.get('elapsed_s', 0):.1f}</td>"
                    f"<td>{html.escape(e.get('size', ''))}</td></tr>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>flambeau runs</title>"
            f"<style>{_STYLE}</style></head><body><h1>flambeau: every study</h1>"
            "<table><tr><th>study</th><th>title</th><th>status</th><th>seconds</th><th>size</th></tr>"
            + "".join(rows) + "</table></body></html>\n")


def write_index(path, entries: list[dict]) -> Path:
    return write_text(path, render_index(entries))
