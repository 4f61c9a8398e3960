"""GET /api/openapi.json and GET /api/docs (Swagger UI, its assets served from the flask-swagger-ui package)."""
import json
import os

import flask_swagger_ui
from flask import Blueprint, current_app, jsonify, request, url_for

from chatbot.openapi.spec import build_spec

# Swagger UI's built files ship inside the package: the page works without reaching any CDN.
ASSETS = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")

bp = Blueprint("docs", __name__, static_folder=ASSETS, static_url_path="/swagger-ui")

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chatbot API: documentation</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{js}"></script>
  <script nonce="{nonce}">
    window.ui = SwaggerUIBundle({{url: {spec_url}, dom_id: "#swagger-ui", deepLinking: true,
                                 persistAuthorization: true, tryItOutEnabled: true, validatorUrl: null}});
  </script>
</body>
</html>
"""


def get_spec():
    """The description, built once per app."""
    spec = current_app.extensions.get("openapi")
    if spec is None:
        spec = current_app.extensions["openapi"] = build_spec()
    return spec


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3 description (public)."""
    return jsonify(get_spec())


@bp.get("/api/docs")
def docs():
    """Swagger UI on the description (public; 'Authorize' takes the API token)."""
    page = PAGE.format(css=url_for("docs.static", filename="swagger-ui.css"),
                       js=url_for("docs.static", filename="swagger-ui-bundle.js"),
                       spec_url=json.dumps(url_for("docs.openapi")),
                       # The per-request CSP nonce (chatbot/security/headers.py); no third-party validator badge.
                       nonce=getattr(request, "csp_nonce", ""))
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}
