"""Wrong bearer tokens are limited per client address: 429 with Retry-After, on the shared Redis or,
while it is down, per process."""
import time

import pytest

TOKEN = "right-token"
LIMIT = 3


def get(client, token, address="203.0.113.7"):
    """GET a protected route from `address` (as the router reports it) with `token`."""
    headers = {"X-Forwarded-For": address}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/api/categories", headers=headers)


def assert_limited(response):
    """429 in the contract's envelope with a Retry-After within the window."""
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_wrong_tokens_from_one_address_get_429_even_with_the_right_token(limited_config, client):
    assert [get(client, "guess").status_code for _ in range(LIMIT)] == [401] * LIMIT
    assert_limited(get(client, "guess"))
    # Limited means limited: a right guess must not be told apart from a wrong one.
    assert_limited(get(client, TOKEN))
    assert get(client, TOKEN, address="198.51.100.9").status_code == 200


def test_the_failures_are_counted_in_redis_under_our_prefix(limited_config, client, redis_client):
    for _ in range(LIMIT):
        get(client, "guess")
    keys = [k.decode() for k in redis_client.scan_iter(match="cache:ratelimit:*")]
    assert len(keys) == 1 and "203.0.113.7" in keys[0]
    assert int(redis_client.get(keys[0])) == LIMIT


def test_requests_without_a_token_are_not_counted(limited_config, client):
    """The dashboard's first calls carry no token (it asks for one on the 401): they guess nothing."""
    assert {get(client, None).status_code for _ in range(LIMIT * 3)} == {401}
    assert get(client, TOKEN).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_limit_without_trusted_proxies(app_config, client_factory):
    app_config.update(API_TOKEN=TOKEN, AUTH_FAILURE_LIMIT=f"{LIMIT} per minute", TRUSTED_PROXIES=0)
    client = client_factory()
    for i in range(LIMIT):
        assert get(client, "guess", address=f"192.0.2.{i}").status_code == 401
    assert_limited(get(client, "guess", address="192.0.2.200"))


def test_still_limits_per_process_while_redis_is_down(limited_config, redis_server, server_client):
    assert get(server_client, TOKEN).status_code == 200
    redis_server.stop()
    started = time.monotonic()
    assert [get(server_client, "guess").status_code for _ in range(LIMIT)] == [401] * LIMIT
    assert_limited(get(server_client, "guess"))
    assert get(server_client, TOKEN, address="198.51.100.9").status_code == 200
    assert time.monotonic() - started < 3, "the open breaker skips Redis instead of waiting on it"


def test_a_limit_that_cannot_be_read_stops_start_up(app_config):
    from chatbot import create_app
    from chatbot.config import ConfigError
    app_config["AUTH_FAILURE_LIMIT"] = "ten a minute"
    with pytest.raises(ConfigError, match="AUTH_FAILURE_LIMIT"):
        create_app(app_config)
