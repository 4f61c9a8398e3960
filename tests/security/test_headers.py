"""Security headers on the dashboard, the docs and the API; HSTS only in production over https."""
import re

import pytest

PAGES = ("/", "/api/docs", "/api/health")


def csp_of(response):
    """The Content-Security-Policy as {directive: value}."""
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in header.split("; ") if part}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = csp_of(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers, "no HSTS outside production"


def test_the_docs_inline_script_runs_only_by_its_per_request_nonce(client):
    nonces = []
    for _ in range(2):
        response = client.get("/api/docs")
        nonce = re.search(r"'nonce-([^']+)'", csp_of(response)["script-src"]).group(1)
        assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_production_sends_hsts_over_https_behind_the_router(app_config, request):
    app_config.update(APP_ENV="production", SECRET_KEY="k", API_TOKEN="t", WHATSAPP_APP_SECRET="s",
                      TRUSTED_PROXIES=1)
    client = request.getfixturevalue("app").test_client()
    response = client.get("/api/health", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 200
    max_age = re.match(r"max-age=(\d+)", response.headers["Strict-Transport-Security"]).group(1)
    assert int(max_age) >= 365 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/api/health").headers, "never over plain http"
