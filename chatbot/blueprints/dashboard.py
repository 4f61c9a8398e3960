"""The React dashboard built into chatbot/static/dashboard: its index.html for / and every page URL outside /api."""
import os

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("dashboard", __name__)

NOT_BUILT = """<!doctype html><title>Dashboard not built</title>
<h1>The dashboard is not built yet</h1>
<p>Build it with <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>
(Node 20), or start the app with <code>./scripts/dev.sh</code>, which does it for you.</p>
<p>The API is at <a href="/api/health">/api/health</a>.</p>"""


@bp.get("/")
@bp.get("/<path:page>")
def index(page=""):
    """The built index.html (the browser's router picks the page), or a page saying how to build it."""
    # /api/<unknown> stays the API's JSON 404; /static/... never reaches here (its rule is more specific).
    if page == "api" or page.startswith("api/"):
        abort(404)
    folder = os.path.join(current_app.static_folder, "dashboard")
    if not os.path.exists(os.path.join(folder, "index.html")):
        return NOT_BUILT, 200, {"Content-Type": "text/html; charset=utf-8"}
    response = send_from_directory(folder, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
