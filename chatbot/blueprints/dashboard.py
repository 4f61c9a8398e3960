"""GET /: the React dashboard built into chatbot/static/dashboard."""
import os

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("dashboard", __name__)

NOT_BUILT = """<!doctype html><title>Dashboard not built</title>
<h1>The dashboard is not built yet</h1>
<p>Build it with <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>
(Node 20), or start the app with <code>./scripts/dev.sh</code>, which does it for you.</p>
<p>The API is at <a href="/api/health">/api/health</a>.</p>"""


@bp.get("/")
def index():
    """The built index.html, or a page saying how to build it."""
    folder = os.path.join(current_app.static_folder, "dashboard")
    if not os.path.exists(os.path.join(folder, "index.html")):
        return NOT_BUILT, 200, {"Content-Type": "text/html; charset=utf-8"}
    response = send_from_directory(folder, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
