"""Build and serve the Dash app over a folder of signature runs.

Every callback checks what the browser sends and answers with a message in the page; what is
left (a callback body that is not one, an unknown output id, a ``/_dash-component-suites/`` path
that Dash does not serve) is answered by ``refuse_request``: a 4xx with a one-line reason, and
one log line naming the request, never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash, dcc, html
from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.exceptions import HTTPException

from .callbacks import register_callbacks
from .jobs import JobRunner

__all__ = ["create_app", "refuse_request", "serve"]

log = logging.getLogger(__name__)


def create_app(runs_dir="runs") -> Dash:
    """The web app for the studies in ``runs_dir`` (new studies are written there too)."""
    runs_dir = Path(runs_dir)
    app = Dash(__name__, title="flambeau signatures", suppress_callback_exceptions=True,
               update_title=None)
    app.layout = html.Div([dcc.Location(id="url"), html.Div(id="page")])
    jobs = JobRunner(runs_dir)
    app.jobs = jobs
    register_callbacks(app, runs_dir, jobs)
    app.server.register_error_handler(Exception, refuse_request)
    return app


def refuse_request(error: Exception):
    """Flask error handler of the app's server: HTTP errors pass through; any other exception
    raised while answering a request is the client's garbage (the callbacks validate every value
    a real page sends) and becomes ``400 Bad request: <reason>`` (``404`` for a resource Dash does
    not serve), logged as one line with the request."""
    if isinstance(error, HTTPException):
        return error
    status, kind = (404, "Not found") if isinstance(error, DependencyException) else (400, "Bad request")
    lines = str(error).strip().splitlines()
    reason = f"{type(error).__name__}: {lines[0][:200] if lines else ''}"
    log.warning("%s %s from %s -> %d (%s)", request.method, request.path[:200], request.remote_addr,
                status, reason)
    return Response(f"{kind}: {reason}\n", status=status, mimetype="text/plain")


def serve(runs_dir="runs", host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    """Serve the app (loopback only by default)."""
    create_app(runs_dir).run(host=host, port=port, debug=debug)
