"""The precomputed security headers (chatbot/security/headers.py) are exactly the ones Talisman itself sets."""
import re

import flask
import pytest
from flask_talisman import Talisman

from chatbot.security.headers import talisman

NAMES = ("Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy",
         "Referrer-Policy", "Strict-Transport-Security")


def talisman_own(app, path, nonce, headers=None):
    """What Talisman's own after-request hook sets on a response to `path` whose request had `nonce`."""
    with app.test_request_context(path, headers=headers or {}):
        flask.request.csp_nonce = nonce
        response = Talisman._set_response_headers(talisman, app.response_class())
    return {name: response.headers.get(name) for name in NAMES}


def ours(response):
    """The security headers of a served response, and its nonce."""
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    return {name: response.headers.get(name) for name in NAMES}, nonce


@pytest.mark.parametrize("path", ["/api/health", "/api/docs", "/", "/api/no-such-route"])
def test_every_response_carries_talismans_own_headers(app, client, path):
    for _ in range(2):  # the first response precomputes, the second copies
        headers, nonce = ours(client.get(path))
        assert headers == talisman_own(app, path, nonce)


def test_production_over_https_too(app_config, request):
    app_config.update(APP_ENV="production", SECRET_KEY="k", API_TOKEN="t", WHATSAPP_APP_SECRET="s",
                      TRUSTED_PROXIES=1)
    app = request.getfixturevalue("app")
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    for sent in (https, {}):
        headers, nonce = ours(client.get("/api/health", headers=sent))
        assert headers == talisman_own(app, "/api/health", nonce, sent)
    assert app.config["SESSION_COOKIE_SECURE"] is True
