"""Daily counters in Redis: real transitions only, one pipeline per batch, 90 days, Redis outages survived."""
import datetime as dt
import logging

import pytest
import redis

from chatbot.messaging import dispatch
from fakes import meta
from fakes.cloud_api import error
from fakes.servers import RedisServer

TODAY = "monitoring:daily:2026-01-15"


@pytest.fixture
def pipelines(monkeypatch):
    """The command lists of every pipeline sent to Redis that touched the daily counters."""
    sent = []
    original = redis.client.Pipeline.execute

    def execute(self, *args, **kwargs):
        """Record pipelines that write the daily counters, then run them."""
        commands = [c[0] for c in self.command_stack]
        if any(len(c) > 1 and str(c[1]).startswith("monitoring:") for c in commands):
            sent.append(commands)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    return sent


def day(redis_client, key=TODAY):
    """A daily hash as {field: int}."""
    return {k.decode(): int(v) for k, v in redis_client.hgetall(key).items()}


def test_a_dispatch_batch_counts_its_sends_and_failures_in_one_pipeline(cloud, launch, redis_client, pipelines):
    cloud.fail_numbers["+14155550123"] = error(400, 131026, "Message undeliverable")

    launch(phones=["+16505551234", "+16315551181", "+14155550123"])

    assert day(redis_client) == {"sent": 2, "failed": 1}
    assert len(pipelines) == 1
    assert 90 * 86400 < redis_client.ttl(TODAY) <= 91 * 86400


def test_a_webhook_counts_its_transitions_in_one_pipeline_and_a_redelivery_adds_nothing(
        client, launch, redis_client, pipelines):
    launched = launch(phones=["+16505551234", "+16315551181", "+14155550123"])
    mapping = {"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA": launched.first(0).wamid,
               "wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA": launched.first(1).wamid,
               "wamid.HBgLMTQxNTU1NTAxMjMVAgARGBIyQzVGMzE5QjE3NkE0MjBFODYA": launched.first(2).wamid}
    pipelines.clear()

    meta.post(client, meta.rewrite(meta.load("several_entries"), mapping))
    meta.post(client, meta.rewrite(meta.load("several_entries"), mapping))

    # A: delivered+read, B: delivered, C: failed; one known answer (the unknown number is not counted)
    assert day(redis_client) == {"sent": 3, "delivered": 2, "read": 1, "failed": 1, "interactions": 1}
    assert len(pipelines) == 1


def test_a_late_delivered_after_read_is_not_counted_again(client, launch, redis_client, clock):
    launched = launch(phones=["+16505551234"])
    wamid = launched.first().wamid

    meta.post(client, meta.notification(statuses=[meta.status(wamid, "read", clock.now())]))
    meta.post(client, meta.notification(statuses=[meta.status(wamid, "delivered", clock.now())]))

    assert day(redis_client) == {"sent": 1, "delivered": 1, "read": 1}


def test_the_daily_endpoint_reads_the_counters_oldest_first(client, launch, clock):
    launch(count=2)
    clock.advance(days=1)
    launch(count=3)

    response = client.get("/api/monitoring/daily?days=3")

    assert response.status_code == 200
    assert [(i["date"], i["sent"]) for i in response.get_json()["items"]] == [
        ("2026-01-14", 0), ("2026-01-15", 2), ("2026-01-16", 3)]


class TestWhenRedisIsDown:
    """A throwaway redis-server, stopped: counting is skipped with a warning, nothing else fails."""

    @pytest.fixture
    def redis_server(self):
        """A private redis-server the test may stop."""
        with RedisServer() as server:
            yield server

    @pytest.fixture
    def app_config(self, app_config, redis_server):
        """The app on the private server."""
        app_config["REDIS_URL"] = redis_server.url
        return app_config

    def test_sending_and_webhooks_still_work(self, client, launch, redis_server, caplog, clock):
        launched = launch(count=2, send=False)
        redis_server.stop()
        caplog.set_level(logging.WARNING)

        assert dispatch.run_once() == {"sent": 2, "failed": 0}
        response = meta.post(client, meta.notification(
            statuses=[meta.status(launched.first().wamid, "read", clock.now() + dt.timedelta(seconds=5))]))

        assert response.status_code == 200
        assert launched.first().status == "read"
        assert launched.campaign().read_count == 1
        assert any("monitoring counters skipped" in r.getMessage() for r in caplog.records)
        daily = client.get("/api/monitoring/daily?days=1")
        assert daily.status_code == 200 and daily.get_json()["items"][0]["sent"] == 0
