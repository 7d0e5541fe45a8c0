"""The signature web app (Dash + plotly): an index of studies, a form to start one, and a page
per study with linked maps, Sankey, silhouette, metrics and signatures. ``flambeau serve``."""

from .export import export_html
from .server import create_app, serve
from .store import RunError, SignatureRun, list_runs, load_run

__all__ = ["SignatureRun", "RunError", "create_app", "export_html", "list_runs", "load_run", "serve"]
