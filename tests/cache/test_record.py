"""The record of invalidations Redis could not take: written with the write, applied, then forgotten."""
from sqlalchemy import func, select

from chatbot import unit_of_work
from chatbot.cache import get_cache
from chatbot.extensions import db
from chatbot.models import CacheInvalidation


def on_record():
    """The keys of every row on record, oldest first."""
    return [row.keys for row in db.session.execute(select(CacheInvalidation.keys).order_by(CacheInvalidation.id))]


def open_breaker(server_client, redis_server):
    """Redis stopped and noticed: the breaker is open."""
    redis_server.stop()
    assert server_client.get("/api/messages/stats").headers["X-Cache"] == "BYPASS"


def test_a_write_while_redis_is_away_records_its_keys_in_its_transaction(server_app, server_client, redis_server):
    """No after-commit effect runs here (as if the process died right after the commit): the record is there."""
    open_breaker(server_client, redis_server)
    unit_of_work.effects(server_app).after_commit.clear()
    assert server_client.post("/api/categories", json={"name": "Away"}).status_code == 201
    assert on_record() == [["categories:list"]]  # category.created drops the list (its detail was never cached)


def test_a_refused_write_records_nothing(server_app, server_client, redis_server):
    server_client.post("/api/categories", json={"name": "Taken"})
    open_breaker(server_client, redis_server)
    assert server_client.post("/api/categories", json={"name": "TAKEN"}).status_code == 409
    assert on_record() == []


def test_the_record_is_applied_in_redis_then_forgotten(server_app, server_client, redis_server, clock):
    redis_server.stop()
    server_client.post("/api/contacts", json={"phone": "+14155550142", "name": "Late"})  # breaker opens here
    assert on_record() == [["categories:list", "stats:global"]]
    redis_server.start()
    redis_server.probe.set("cache:stats:global", b'{"stale": true}')
    clock.advance(seconds=5)  # the breaker's cool-down
    get_cache().drain()
    assert redis_server.probe.get("cache:stats:global") is None
    assert db.session.scalar(select(func.count()).select_from(CacheInvalidation)) == 0
