"""Failed logins are limited per email and per client address (429 with Retry-After), on the shared Redis or,
while it is down, per process."""
import pytest

from tests.accounts.conftest import PASSWORD, login
from tests.security.test_auth_limits import assert_limited

LIMIT = 3


@pytest.fixture
def limited(app_config):
    """LIMIT failed logins per 15 minutes."""
    app_config["LOGIN_FAILURE_LIMIT"] = f"{LIMIT} per 15 minutes"
    return app_config


def limited_answer(response):
    """429 with a Retry-After within the 15 minutes."""
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(response.headers["Retry-After"]) <= 900


def test_failures_for_one_email_are_limited_from_any_address(limited, client, users):
    for i in range(LIMIT):
        assert login(client, "admin@example.com", "wrong password!", address=f"192.0.2.{i}").status_code == 401
    limited_answer(login(client, "admin@example.com", "wrong password!", address="192.0.2.50"))
    # Limited means limited: the right password must not be told apart from a wrong one.
    limited_answer(login(client, "admin@example.com", PASSWORD, address="192.0.2.51"))
    assert login(client, "viewer@example.com", address="192.0.2.52").status_code == 200


def test_failures_from_one_address_are_limited_for_any_email(limited, client, users):
    for i in range(LIMIT):
        assert login(client, f"guess{i}@example.com", "wrong password!").status_code == 401
    limited_answer(login(client, "viewer@example.com"))
    assert login(client, "viewer@example.com", address="198.51.100.9").status_code == 200


def test_the_failures_are_counted_in_redis_under_our_prefix(limited, client, users, redis_client):
    login(client, "admin@example.com", "wrong password!")
    keys = sorted(k.decode() for k in redis_client.scan_iter(match="cache:ratelimit:*"))
    assert len(keys) == 2 and "email:admin@example.com" in keys[0] + keys[1] and "address:203.0.113.7" in "".join(keys)


def test_still_limits_per_process_while_redis_is_down(limited, redis_server, server_client, users):
    redis_server.stop()
    for _ in range(LIMIT):
        assert login(server_client, "operator@example.com", "wrong password!").status_code == 401
    limited_answer(login(server_client, "operator@example.com", PASSWORD))
    assert login(server_client, "viewer@example.com", address="198.51.100.9").status_code == 200


def test_wrong_personal_tokens_count_against_the_address_like_wrong_api_tokens(client, users):
    for _ in range(10):  # AUTH_FAILURE_LIMIT's default: 10 per minute
        client.get("/api/categories", headers={"Authorization": "Bearer cbt_guess"})
    assert_limited(client.get("/api/categories", headers=users["viewer"].bearer))
