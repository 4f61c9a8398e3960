"""The React dashboard built into chatbot/static/dashboard: its index.html for / and every page URL outside /api."""
import os

from flask import Blueprint, current_app, send_from_directory
from werkzeug.routing import PathConverter

bp = Blueprint("dashboard", __name__)


class PageConverter(PathConverter):
    """A dashboard page's path: not /api nor under it, and not a file (a last segment with a dot)."""

    # Refused in the match itself, not in the view: a GET on a POST-only API route must stay Werkzeug's 405
    # (with Allow), an unknown API path its JSON 404, and a missing file (/favicon.ico, an old asset) a 404
    # rather than a page of HTML, as if this catch-all did not exist. The router's paths have no dots.
    regex = r"(?!api(?:/|$))(?!(?:.*/)?[^/]*\.[^/]*$)[^/].*?"


# Before the routes below: their rule needs the converter when it is added.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("page", PageConverter))

NOT_BUILT = """<!doctype html><title>Dashboard not built</title>
<h1>The dashboard is not built yet</h1>
<p>Build it with <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>
(Node 20), or start the app with <code>./scripts/dev.sh</code>, which does it for you.</p>
<p>The API is at <a href="/api/health">/api/health</a>.</p>"""


@bp.get("/")
@bp.get("/<page:page>")
def index(page=""):
    """The built index.html (the browser's router picks the page), or a page saying how to build it."""
    # /static/... never reaches here: its rule is more specific.
    folder = os.path.join(current_app.static_folder, "dashboard")
    if not os.path.exists(os.path.join(folder, "index.html")):
        return NOT_BUILT, 200, {"Content-Type": "text/html; charset=utf-8"}
    response = send_from_directory(folder, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
