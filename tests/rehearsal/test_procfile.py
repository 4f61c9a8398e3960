"""Rehearsal of the Heroku way: Procfile processes under honcho, two webs with the scheduler on (two gunicorn
workers each: four schedulers), one PostgreSQL, one Redis we restart, the Cloud API as a local counting server.

Shown, in one run of about a minute:
- the release phase migrates, both webs boot and answer;
- caches are coherent between the webs: a write through one is read at once through the other;
- no message is sent twice: a campaign dispatched with Redis up (one dispatcher at a time under `lock:dispatch`)
  and one dispatched with Redis down (every scheduler dispatching at once, rows claimed with SKIP LOCKED);
- Redis restarted: degraded mode (health says unavailable, X-Cache BYPASS, writes still work), then recovery;
- web.2 restarted: web.1 keeps answering, web.2 comes back;
- one sweep per interval across all processes while Redis is up (SWEEP_INTERVAL_SECONDS stands in for the hour),
  each overdue message marked once, the campaign completed.
"""
import math
import time

import pytest

from fakes.cloud_api import CloudApi
from fakes.servers import RedisServer, free_port
from tests.rehearsal.stack import Stack, wait_until

SWEEP_INTERVAL = 3  # seconds: stands in for the hour
OVERDUE_AFTER_HOURS = 0.002  # 7.2 s: stands in for the 24 h
CONTACTS_PER_CAMPAIGN = 40
TOKEN = "rehearsal-token"
SWEEP_SUMMARY = "sweep: marked"


def base_port():
    """Two consecutive free ports (honcho gives web.1 the base, web.2 base + 1)."""
    for _ in range(50):
        port = free_port()
        if port < 65000 and free_port_is(port + 1):
            return port
    raise RuntimeError("no two consecutive free ports")


def free_port_is(port):
    """True if nothing listens on `port`."""
    import socket
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway redis-server the test may restart."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def cloud():
    """The local Cloud API, counting accepted messages per recipient; 20 ms per answer, so dispatchers overlap."""
    api = CloudApi(latency=0.02).start()
    yield api
    api.stop()


@pytest.fixture
def stack(tmp_path, database_url, redis_server, cloud):
    """honcho with two webs, SCHEDULER_ENABLED=true, on our PostgreSQL and Redis; stopped after the test."""
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_server.url, "SCHEDULER_ENABLED": "true",
           "SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL), "NO_INTERACTION_AFTER_HOURS": str(OVERDUE_AFTER_HOURS),
           "DISPATCH_INTERVAL_SECONDS": "1", "DISPATCH_BATCH_SIZE": "5", "DISPATCH_CONCURRENCY": "4",
           "REDIS_BREAKER_COOLDOWN": "1", "CACHE_METRICS_FLUSH_SECONDS": "1", "WEB_CONCURRENCY": "2",
           "GUNICORN_THREADS": "2", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", **cloud.config()}
    stack = Stack(tmp_path / "run", env, TOKEN, base_port())
    (tmp_path / "run").mkdir()
    try:
        yield stack.start()
    finally:
        stack.stop()


def create_contacts(webs, category_id, first_number):
    """CONTACTS_PER_CAMPAIGN contacts in a category, written through both webs in turn; their wa_ids."""
    numbers = [f"+1415200{first_number + i:04d}" for i in range(CONTACTS_PER_CAMPAIGN)]
    for index, phone in enumerate(numbers):
        answer = webs[index % 2].post("/api/contacts", {"phone": phone, "name": f"Contact {phone[-4:]}",
                                                        "category_ids": [category_id]})
        assert answer.status_code == 201, answer.text
    return [n.lstrip("+") for n in numbers]


def launch_and_wait_sent(web, cloud, category_id, recipients, name):
    """Create and launch a campaign through `web`; wait until the Cloud API saw every recipient; its id."""
    campaign = web.post("/api/campaigns", {"name": name, "category_ids": [category_id],
                                           "first_message": {"text": "Hello"}, "second_message": {"text": "Thanks"}})
    assert campaign.status_code == 201, campaign.text
    assert web.post(f"/api/campaigns/{campaign.json()['id']}/launch").status_code == 202
    campaign_id = campaign.json()["id"]
    wait_until(lambda: all(cloud.sends[r] for r in recipients), 30, f"{name} to be sent to every contact")
    # Every first message recorded as sent: none is pending any more, so no dispatcher can claim it again
    # (a late duplicate would still show in the final count of the test).
    wait_until(lambda: web.get(f"/api/campaigns/{campaign_id}").json()["sent_count"] == len(recipients), 30,
               f"{name}'s messages to be recorded as sent")
    assert {r: cloud.sends[r] for r in recipients} == dict.fromkeys(recipients, 1), "a message was sent twice"
    return campaign_id


def check_coherent(writer, reader, name):
    """A category created through `writer` is at once in `reader`'s (cached) list and detail."""
    before = reader.get("/api/categories")
    assert before.status_code == 200
    category = writer.post("/api/categories", {"name": name})
    assert category.status_code == 201, category.text
    listed = reader.get("/api/categories")
    assert name in [c["name"] for c in listed.json()["items"]], f"{reader.name} served a stale list"
    return category.json()["id"], listed.headers["X-Cache"]


def check_count_coherent(webs, category_id):
    """A contact added through web.2 counts at once in the category and the stats read through web.1."""
    contacts = webs[0].get("/api/messages/stats").json()["contacts"]["total"]
    webs[1].post("/api/contacts", {"phone": "+14152009999", "name": "Late", "category_ids": [category_id]})
    assert webs[0].get(f"/api/categories/{category_id}").json()["contact_count"] == CONTACTS_PER_CAMPAIGN + 1
    assert webs[0].get("/api/messages/stats").json()["contacts"]["total"] == contacts + 1


def sweep_slots(stack, since):
    """The slot of each sweep that started at or after `since` (epoch s), sorted.

    A sweep belongs to the slot it started in (its summary's time minus its duration): that is the slot
    whose marker it claimed, a few milliseconds earlier, while its summary may be logged in the next slot.
    """
    starts = [when.replace(tzinfo=None).timestamp() - record["duration_ms"] / 1000
              for _, record, when in stack.logged(SWEEP_SUMMARY)]
    return sorted(math.floor(start / SWEEP_INTERVAL) for start in starts if start >= since)


def wait_for_sweeps(stack, since, count=4):
    """Poll (with a deadline) until `count` sweeps have started since `since()` (read again at each poll)."""
    wait_until(lambda: len(sweep_slots(stack, since())) >= count, 20 * count * SWEEP_INTERVAL,
               f"{count} sweeps")


def check_one_sweep_per_slot(stack, since):
    """Exactly one sweep in each slot from the first whole one after `since` to the last swept; {slot: sweeps}."""
    slots = sweep_slots(stack, since)
    counts = dict.fromkeys(range(math.ceil(since / SWEEP_INTERVAL), slots[-1] + 1), 0)
    for slot in slots:
        counts[slot] = counts.get(slot, 0) + 1
    assert set(counts.values()) == {1}, f"sweeps per {SWEEP_INTERVAL}s slot: {counts}"
    assert len(counts) >= 3, "the window holds too few sweep intervals"
    return counts


def locked_again(stack, since):
    """When every process sweeps under the lock again: `since`, or the last lock-less sweep after it."""
    unlocked = [when.replace(tzinfo=None).timestamp() for _, _, when in stack.logged("redis unavailable: sweeping")]
    return max([since] + unlocked)


def degraded_then_recovered(stack, redis_server, cloud, category_id, recipients):
    """Redis stopped: degraded but answering, SKIP LOCKED dispatch; Redis back: cache on again."""
    web1, web2 = stack.webs
    redis_server.stop()
    wait_until(lambda: all(w.get("/api/health").json()["redis"] == "unavailable" for w in stack.webs), 10,
               "both webs to notice Redis is gone")
    _, cache_status = check_coherent(web1, web2, "Written while Redis is down")
    assert cache_status == "BYPASS"
    campaign_id = launch_and_wait_sent(web2, cloud, category_id, recipients, "Redis down")
    redis_server.start()
    wait_until(lambda: all(w.get("/api/health").json()["redis"] == "ok" for w in stack.webs), 15,
               "both webs to use Redis again")
    _, cache_status = check_coherent(web2, web1, "Written after Redis came back")
    assert web1.get("/api/categories").headers["X-Cache"] == "HIT"
    return campaign_id


def restart_one_web(stack):
    """web.2's gunicorn stopped and started again while web.1 keeps answering every request."""
    web1, web2 = stack.webs
    old_pid = stack.restart_web(web2)
    wait_until(lambda: not web2.answers(), 30, "web.2 to stop")
    served, deadline = 0, time.monotonic() + 30
    while not web2.answers():
        assert time.monotonic() < deadline, "web.2 did not come back within 30 s"
        assert web1.get("/api/categories").status_code == 200, "web.1 stopped answering during web.2's restart"
        served += 1
        time.sleep(0.1)
    assert web2.master_pid() != old_pid and served > 0
    check_coherent(web1, web2, "Written after web.2 restarted")


@pytest.mark.slow
@pytest.mark.postgresql_only
@pytest.mark.timeout(240)
def test_two_webs_under_honcho_send_once_sweep_once_and_survive_restarts(stack, redis_server, cloud):
    """The whole rehearsal (see the module docstring)."""
    web1, web2 = stack.webs
    started = time.time()
    category_a, _ = check_coherent(web1, web2, "Customers")
    recipients_a = create_contacts(stack.webs, category_a, 0)
    campaign_a = launch_and_wait_sent(web1, cloud, category_a, recipients_a, "Redis up")
    check_count_coherent(stack.webs, category_a)
    wait_for_sweeps(stack, lambda: started)
    first_slots = check_one_sweep_per_slot(stack, started)

    category_b, _ = check_coherent(web2, web1, "Prospects")
    recipients_b = create_contacts(stack.webs, category_b, 100)
    campaign_b = degraded_then_recovered(stack, redis_server, cloud, category_b, recipients_b)
    recovered = time.time()
    restart_one_web(stack)
    # A worker whose breaker was still open swept without the lock (and said so): count from after the last one.
    wait_for_sweeps(stack, lambda: locked_again(stack, recovered) + SWEEP_INTERVAL)
    per_slot = check_one_sweep_per_slot(stack, locked_again(stack, recovered) + SWEEP_INTERVAL)

    wait_until(lambda: all(web1.get(f"/api/campaigns/{c}").json()["status"] == "completed"
                           for c in (campaign_a, campaign_b)), 30, "the sweep to complete both campaigns")
    marked = [r["message_id"] for _, r, _ in stack.logged("no interaction:")]
    assert len(marked) == len(set(marked)) == 2 * CONTACTS_PER_CAMPAIGN, "a message was marked twice"
    assert cloud.total() == 2 * CONTACTS_PER_CAMPAIGN
    sweepers = {process for process, _, _ in stack.logged(SWEEP_SUMMARY)}
    print(f"rehearsal: {time.time() - started:.0f}s, {cloud.total()} sends, one sweep in each of "
          f"{len(first_slots)} + {len(per_slot)} {SWEEP_INTERVAL}s slots (Redis up), run by {sorted(sweepers)}; "
          f"{len(stack.logged('redis unavailable: sweeping'))} lock-less sweeps while Redis was down")
