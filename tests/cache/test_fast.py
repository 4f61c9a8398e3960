"""The cached reads' fast path (chatbot/blueprints/fast.py): the answer Flask's path gives, header by header, and
every request it cannot answer alike left to Flask."""
import gzip
import re

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from chatbot.blueprints.fast import FastPath
from tests import factories

TOKEN = "fast-token"
PATHS = ("/api/messages/stats", "/api/categories")
NONCE = re.compile(r"'nonce-[^']+'")


@pytest.fixture
def token_app(request, app_config):
    """The app with API_TOKEN set, its two cached lists filled."""
    app_config["API_TOKEN"] = TOKEN
    app = request.getfixturevalue("app")
    client = app.test_client()
    factories.contact([factories.category()["id"] for _ in range(5)])  # a category list gzip compresses
    for path in PATHS:
        assert get(client, path).headers["X-Cache"] == "MISS"
    return app


@pytest.fixture
def flask_runs(token_app):
    """How many requests went through Flask's own handling (a before-request hook counts them)."""
    seen = []
    token_app.before_request_funcs[None].insert(0, lambda: seen.append(1))
    return seen


def get(client, path, token=TOKEN, **headers):
    """GET `path` with the bearer token."""
    return client.get(path, headers={"Authorization": f"Bearer {token}", **headers})


def answer(wsgi, path, **headers):
    """(status, headers without the nonce and the duration, body) of one GET through `wsgi`."""
    environ = EnvironBuilder(path=path, headers={"Authorization": f"Bearer {TOKEN}", **headers}).get_environ()
    body, status, listed = run_wsgi_app(wsgi, environ, buffered=True)
    shown = [(name, NONCE.sub("'nonce-N'", value) if name == "Content-Security-Policy" else value)
             for name, value in listed.to_wsgi_list() if name != "Server-Timing"]
    return status, sorted(shown), b"".join(body)


def fast_path(app):
    """The app's FastPath (no ProxyFix in tests; the webhook's fast path, if any, wraps it)."""
    wsgi = app.wsgi_app
    while not isinstance(wsgi, FastPath) and hasattr(wsgi, "wsgi_app"):
        wsgi = wsgi.wsgi_app
    assert isinstance(wsgi, FastPath)
    return wsgi


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("encoding", [None, "gzip, deflate"])
def test_a_hit_is_answered_as_flask_answers_it(token_app, flask_runs, path, encoding):
    """Status, every header (the nonce aside: a fresh one each time) and the body, with and without gzip."""
    fast = fast_path(token_app)
    headers = {"Accept-Encoding": encoding} if encoding else {}
    through_flask = answer(fast.wsgi_app, path, **headers)
    runs = len(flask_runs)
    through_fast = answer(fast, path, **headers)
    assert len(flask_runs) == runs, "the fast path answered without Flask"
    assert through_fast == through_flask
    assert ("X-Cache", "HIT") in through_fast[1]
    if encoding:
        plain = answer(fast, path)[2]
        compressed = len(plain) >= token_app.config["COMPRESS_MIN_SIZE"]
        assert (("Content-Encoding", "gzip") in through_fast[1]) == compressed
        assert (gzip.decompress(through_fast[2]) if compressed else through_fast[2]) == plain


def test_a_hit_over_https_in_production_carries_hsts(app_config, request):
    """Production behind the router's TLS: Strict-Transport-Security as Talisman sets it."""
    app_config.update(API_TOKEN=TOKEN, APP_ENV="production", SECRET_KEY="s" * 32, WHATSAPP_APP_SECRET="w")
    app = request.getfixturevalue("app")
    client = app.test_client()
    assert get(client, PATHS[0]).status_code == 200
    fast = fast_path(app)
    forwarded = {"X-Forwarded-Proto": "https"}
    through_flask, through_fast = answer(fast.wsgi_app, PATHS[0], **forwarded), answer(fast, PATHS[0], **forwarded)
    assert through_fast == through_flask
    assert any(name == "Strict-Transport-Security" for name, _ in through_fast[1])


def test_each_hit_gets_its_own_nonce(token_app):
    """Talisman's nonce is new on every response, on the fast path too."""
    client = token_app.test_client()
    policies = {get(client, PATHS[0]).headers["Content-Security-Policy"] for _ in range(3)}
    assert len(policies) == 3


@pytest.mark.parametrize("headers, query", [
    ({"Cookie": "x"}, ""),
    ({"If-None-Match": '"x"'}, ""),
    ({}, "?page=1"),
    ({"Authorization": "Bearer wrong"}, ""),
    ({"Authorization": f"bearer {TOKEN}"}, ""),
])
def test_requests_it_cannot_answer_alike_go_to_flask(token_app, flask_runs, headers, query):
    """A cookie, a revalidation, a query string, another token or spelling: Flask's path decides."""
    client = token_app.test_client()
    headers = dict(headers)  # the parameter is shared by both backends runs
    if headers.pop("Cookie", None):
        client.set_cookie("chatbot_session", "x")  # the test client sends its own cookies, not a Cookie header
    response = client.get(PATHS[0] + query, headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert len(flask_runs) == 1
    assert response.status_code in (200, 304, 401)


def test_a_miss_goes_to_flask_with_the_one_read(token_app, flask_runs):
    """After a write the entry is gone: Flask's path recomputes it, from the fast path's MGET (MISS, then HIT)."""
    client = token_app.test_client()
    factories.contact()
    assert get(client, PATHS[0]).headers["X-Cache"] == "MISS" and len(flask_runs) == 1
    assert get(client, PATHS[0]).headers["X-Cache"] == "HIT" and len(flask_runs) == 1


def test_redis_away_goes_to_flask(token_app, flask_runs):
    """The breaker open: Flask's path serves from the database (BYPASS)."""
    store = token_app.extensions["redis_store"]
    store.breaker.failure(ConnectionError("test"))
    response = get(token_app.test_client(), PATHS[0])
    assert response.headers["X-Cache"] == "BYPASS" and len(flask_runs) == 1


def test_the_access_line_is_the_same(token_app, caplog):
    """The fast path logs the critical endpoint's line with the same fields."""
    caplog.set_level("INFO", logger="chatbot.requests")
    get(token_app.test_client(), PATHS[1])
    line = [r for r in caplog.records if r.name == "chatbot.requests"][-1]
    assert (line.method, line.path, line.status, line.cache) == ("GET", PATHS[1], 200, "HIT")


def test_a_miss_through_the_fast_path_is_still_one_mget(app_config, request, redis_server):
    """The fast path's MGET is handed to Flask's path: a miss with the token costs what it cost before."""
    app_config.update(API_TOKEN=TOKEN, REDIS_URL=redis_server.url)
    client = request.getfixturevalue("app").test_client()
    get(client, PATHS[1])  # a first request through Flask: the security headers worked out
    factories.contact()
    redis_server.reset_stats()
    assert get(client, PATHS[0]).headers["X-Cache"] == "MISS"
    assert redis_server.command_stats()["mget"] == 1
