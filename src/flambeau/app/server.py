"""Build and serve the Dash app over a folder of signature runs."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, dcc, html

from .callbacks import register_callbacks
from .jobs import JobRunner

__all__ = ["create_app", "serve"]


def create_app(runs_dir="runs") -> Dash:
    """The web app for the studies in ``runs_dir`` (new studies are written there too)."""
    runs_dir = Path(runs_dir)
    app = Dash(__name__, title="flambeau signatures", suppress_callback_exceptions=True,
               update_title=None)
    app.layout = html.Div([dcc.Location(id="url"), html.Div(id="page")])
    jobs = JobRunner(runs_dir)
    app.jobs = jobs
    register_callbacks(app, runs_dir, jobs)
    return app


def serve(runs_dir="runs", host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    """Serve the app (loopback only by default)."""
    create_app(runs_dir).run(host=host, port=port, debug=debug)
