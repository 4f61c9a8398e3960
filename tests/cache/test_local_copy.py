"""A process's own copies (chatbot/cache/local.py) in process: fills that raced a write, a stalled Redis, the failure
limit, on a private redis-server."""
import time

import pytest

from chatbot.cache import get_cache, start_local_copy
from tests import factories
from tests.cache.test_local import wait_for

TOKEN = "copy-token"
STATS = "/api/messages/stats"


@pytest.fixture
def member(request, app_config, redis_server, fast_timeouts):
    """The app with local copies on, its subscriber registered (as gunicorn's post_worker_init starts it)."""
    app_config.update(API_TOKEN=TOKEN, CACHE_LOCAL_COPY=True, CACHE_LOCAL_LEASE_SECONDS=1.0,
                      CACHE_LOCAL_ACK_SECONDS=0.3, AUTH_FAILURE_LIMIT="3 per minute")
    app = request.getfixturevalue("server_app")
    local = get_cache(app).local
    start_local_copy(app)
    wait_for(lambda: time.monotonic() < local.until, 5, "registered")
    yield app
    local.stop()


def get(client, token=TOKEN):
    """GET the stats with a bearer token."""
    return client.get(STATS, headers={"Authorization": f"Bearer {token}"})


def test_hits_are_served_from_the_copy_without_redis(member, redis_server):
    """After one hit is kept, reads cost no Redis command at all."""
    client = member.test_client()
    assert get(client).headers["X-Cache"] == "MISS"
    assert get(client).headers["X-Cache"] == "HIT"  # kept from this Redis hit
    redis_server.reset_stats()
    for _ in range(20):
        assert get(client).headers["X-Cache"] == "HIT"
    assert "mget" not in redis_server.command_stats()


def test_a_fill_that_raced_a_write_is_not_kept(member):
    """A hit read before an invalidation was handled is not kept after it (the epoch moved)."""
    local = get_cache(member).local
    epoch = local.epoch
    local.announce(["stats:global"])  # a write's announcement, handled between the MGET and the keep
    local.keep("stats:global", b'{"old":1}', epoch)
    assert local.get("stats:global") is None


def test_a_write_drops_the_copy_before_it_answers(member):
    """The writing process itself: its next read shows the write."""
    client = member.test_client()
    get(client), get(client)
    before = get(client).json["contacts"]["total"]
    factories.contact()
    assert get(client).json["contacts"]["total"] == before + 1


def test_a_stalled_redis_stops_the_copy_within_its_lease(member, redis_server):
    """No PONG, no renewal: the copy is no longer served once the lease has run out by this process's clock (1 s),
    before the subscriber gives up waiting for the PONG (2 leases) and drops everything."""
    client = member.test_client()
    get(client), get(client)
    local = get_cache(member).local
    assert local.get("stats:global") is not None
    redis_server.pause()
    try:
        wait_for(lambda: local.get("stats:global") is None, 1.3, "the copy stopped")
    finally:
        redis_server.resume()
    wait_for(lambda: time.monotonic() < local.until, 10, "registered again")


def test_an_address_that_used_up_its_failures_gets_429_even_from_the_copy(member):
    """The failure that exhausts the limit is announced: the right token then takes the Redis path, and gets 429."""
    client = member.test_client()
    get(client), get(client)
    assert get(client).status_code == 200
    for _ in range(3):
        assert get(client, "wrong").status_code == 401
    assert get(client).status_code == 429
