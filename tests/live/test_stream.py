"""The stream relays committed writes, says resync on reconnect and degraded without Redis, ends with its credential."""
import time

import pytest

from chatbot import unit_of_work
from fakes.servers import RedisServer


def emit(name, **params):
    with unit_of_work.writing() as uow:
        uow.emit(name, **params)


def test_a_committed_write_reaches_an_open_stream(app, open_stream, clock):
    reader = open_stream()
    reader.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    emit("contact.created", contact_id=3, category_ids=[5])
    reader.wait_for(lambda frames: reader.events("changes"), "changes")
    assert 'data: {"contact.created":{"contact_id":[3],"category_ids":[5]}}' in reader.events("changes")[0]
    assert reader.events("changes")[0].startswith("id: ")


def test_writes_in_one_window_arrive_as_one_set(app, open_stream, clock):
    reader = open_stream()
    reader.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    emit("message.status", campaign_ids=[1])
    reader.wait_for(lambda frames: len(reader.events("changes")) == 1, "first set")
    emit("message.status", campaign_ids=[2])
    emit("message.status", campaign_ids=[3])  # the frozen clock holds the window open
    clock.advance(seconds=0.25)
    reader.wait_for(lambda frames: len(reader.events("changes")) == 2, "merged set")
    assert '"campaign_ids":[2,3]' in reader.events("changes")[1]


def test_a_reconnecting_dashboard_is_told_to_resync(app, open_stream):
    reader = open_stream(headers={"Last-Event-ID": "41"})
    reader.wait_for(lambda frames: reader.events("resync"), "resync")


def test_writes_made_while_no_dashboard_watched_do_not_resync_the_next_one(app, open_stream):
    from chatbot.live import get_hub
    first = open_stream()
    first.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    emit("category.created", category_id=1)
    first.wait_for(lambda frames: first.events("changes"), "changes")
    first.close()
    hub = get_hub(app)
    deadline = time.monotonic() + 10
    while hub._thread is not None:  # the idle hub lets its subscription go
        assert time.monotonic() < deadline, "the hub kept its subscriber with no stream open"
        time.sleep(0.05)
    emit("category.created", category_id=2)  # nobody watches: the message numbers move on
    second = open_stream()
    second.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    emit("category.created", category_id=3)
    second.wait_for(lambda frames: second.events("changes"), "changes")
    assert second.events("resync") == []


def test_the_cache_metrics_come_on_the_stream(app, open_stream):
    reader = open_stream()
    reader.wait_for(lambda frames: reader.events("cache"), "cache metrics")
    assert '"hit_ratio"' in reader.events("cache")[0]


def test_a_stream_ends_when_its_credential_is_withdrawn(app_config, request, clock):
    app_config["API_TOKEN"] = "first-token"
    app = request.getfixturevalue("app")
    client = app.test_client()
    ticket = client.post("/api/events/ticket", headers={"Authorization": "Bearer first-token"}).get_json()["ticket"]
    response = client.get(f"/api/events?ticket={ticket}", buffered=False)
    from tests.live.conftest import StreamReader
    reader = StreamReader(response)
    reader.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    app.config["API_TOKEN"] = "rotated-token"
    clock.advance(seconds=16)  # a heartbeat: the stream checks its credential
    reader.thread.join(timeout=10)
    assert not reader.thread.is_alive(), reader.frames
    assert not any(f.startswith(": ping") for f in reader.frames)


@pytest.fixture
def private_redis(tmp_path, app_config):
    server = RedisServer(tmp_path / "redis").start()
    app_config.update(REDIS_URL=server.url, REDIS_SOCKET_TIMEOUT=0.2, REDIS_CONNECT_TIMEOUT=0.2)
    yield server
    server.close()


def test_redis_away_the_stream_says_degraded_then_resyncs_when_it_is_back(private_redis, request):
    app = request.getfixturevalue("app")
    reader = request.getfixturevalue("open_stream")()
    reader.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    private_redis.stop()
    reader.wait_for(lambda frames: reader.events("degraded"), "degraded")
    private_redis.start()
    reader.wait_for(lambda frames: reader.events("resync"), "resync after the outage")
    with app.app_context():
        emit("category.created", category_id=9)
    reader.wait_for(lambda frames: reader.events("changes"), "changes after the outage")
