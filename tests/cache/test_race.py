"""The classic cache-aside race, driven step by step: a value computed before a commit is never stored after it."""
import json

from chatbot.cache import MISS, get_cache, keys
from chatbot.services import stats
from tests import factories

STATS = "cache:" + keys.stats()


def stale_compute(writes):
    """A reader's computation that reads the database, then lets `writes` commit and invalidate before
    it stores: exactly the interleaving of the race (the reader read the generation before computing)."""
    def compute():
        old = stats.compute_stats()
        writes()
        return old
    return compute


def test_a_value_computed_before_a_commit_is_not_stored_after_its_invalidation(app, client, redis_client):
    """Reader: MGET (miss) -> compute (0 contacts); writer: commit + invalidate; reader's store is refused."""
    value, status = get_cache().get_or_compute(keys.stats(), stale_compute(lambda: factories.contact()))
    assert status == MISS and value["contacts"]["total"] == 0  # the reader itself answers what it read
    assert redis_client.get(STATS) is None  # ... but did not poison the cache with it
    assert not redis_client.exists(STATS + ":lock")
    response = client.get("/api/messages/stats")
    assert response.headers["X-Cache"] == "MISS" and response.get_json()["contacts"]["total"] == 1


def test_the_race_on_an_entry_that_was_invalidated_before(app, client, redis_client):
    """Same race when the entry already has a generation (a write happened earlier)."""
    factories.contact()
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 1
    factories.contact()  # drops the entry, gives it a new generation
    get_cache().get_or_compute(keys.stats(), stale_compute(lambda: factories.contact()))
    assert redis_client.get(STATS) is None
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 3


def test_a_flush_in_the_middle_cannot_bring_an_old_generation_back(app, client, redis_client, runner):
    """Generations are random tokens: flush (deleting them) then a write cannot recreate the one the
    stale reader holds, as a counter restarting at 1 would (A-B-A)."""
    factories.contact()  # the entry now has a generation

    def flush_then_write():
        assert runner.invoke(args=["cache", "flush", "--namespace", "stats"]).exit_code == 0
        factories.contact()

    get_cache().get_or_compute(keys.stats(), stale_compute(flush_then_write))
    assert redis_client.get(STATS) is None
    assert client.get("/api/messages/stats").get_json()["contacts"]["total"] == 2


def test_a_value_computed_after_the_invalidation_is_stored(app, client, redis_client):
    """The check refuses only what is stale: with no write in between, the value is stored."""
    factories.contact()
    value, status = get_cache().get_or_compute(keys.stats(), stats.compute_stats)
    assert status == MISS
    assert json.loads(redis_client.get(STATS)) == value
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
