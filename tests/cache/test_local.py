"""Per-process copies (CACHE_LOCAL_COPY, chatbot/cache/local.py) keep read-your-writes across real processes:
two gunicorn servers on one private redis-server, a write answered by one and a read sent right after to the other."""
import os
import signal
import threading
import time

import pytest
import requests

from fakes.servers import AppServer, stop_all
from tests.conftest import LIVE_CHANNEL
from tests.polling import wait_for

TOKEN = "local-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUNDS = 150
LEASE = 1.0


@pytest.fixture(params=["gevent", "gthread"])
def two_members(request, database_url, redis_server):
    """Two gunicorn servers (one worker each: gevent as in production, or four threads) with local copies on, both
    registered."""
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_server.url, "API_TOKEN": TOKEN,
           "LIVE_CHANNEL": LIVE_CHANNEL, "CACHE_LOCAL_COPY": "true", "CACHE_LOCAL_LEASE_SECONDS": str(LEASE),
           "CACHE_LOCAL_ACK_SECONDS": "0.3", "GUNICORN_WORKER_CLASS": request.param}
    servers = [AppServer(env).start(), AppServer(env).start()]
    try:
        for server in servers:
            server.wait_ready()
        probe = redis_server.probe
        wait_for(lambda: probe.scard("cache:local:members") == 2, 10, "both processes registered")
        yield servers
    finally:
        stop_all(servers)


def total(url):
    """The contacts total from the cached stats, and the X-Cache header."""
    response = requests.get(url + "/api/messages/stats", headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["contacts"]["total"], response.headers["X-Cache"]


def create_contact(url, n):
    """POST a contact; returns once the write has answered."""
    response = requests.post(url + "/api/contacts", headers=AUTH, timeout=30,
                             json={"phone": f"+1415{5000000 + n:07d}", "name": f"Local {n}"})
    assert response.status_code == 201, response.text


class Background:
    """Readers keeping both processes busy (their subscriber then competes with requests for the worker)."""

    def __init__(self, urls, threads=2):
        self.stop = threading.Event()
        category = requests.post(urls[0] + "/api/categories", headers=AUTH, json={"name": "Background"}).json()
        self.path = f"/api/categories/{category['id']}"  # a cached view no write of the test drops
        self.threads = [threading.Thread(target=self.read, args=(urls[i % 2],)) for i in range(threads)]

    def read(self, url):
        session = requests.Session()
        while not self.stop.is_set():
            session.get(url + self.path, headers=AUTH, timeout=10)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_a_write_answered_by_one_process_is_seen_by_the_other_at_once(two_members, redis_server):
    """Hundreds of times, alternating who writes, under a background load: the other process's next read shows the
    write, never the old total, although it serves its own copy between writes (far fewer MGETs than reads)."""
    urls = [server.url for server in two_members]
    expected, _ = total(urls[1])
    with Background(urls):
        redis_server.reset_stats()
        reads = check_rounds(urls, expected)
    mgets = redis_server.command_stats().get("mget", 0)
    assert mgets < reads * 0.75, f"{mgets} MGETs for {reads} reads: the copies were not served"


def check_rounds(urls, expected):
    """ROUNDS writes, each followed by a read from the other process; the number of checked reads."""
    reads = 0
    for n in range(ROUNDS):
        writer, reader = urls[n % 2], urls[(n + 1) % 2]
        for _ in range(2):  # a copy in the reader before the write
            assert total(reader)[0] == expected
        create_contact(writer, n)
        expected += 1
        seen, _ = total(reader)
        reads += 3
        assert seen == expected, f"round {n}: the reader served {seen} after the write of the {expected}th contact"
    return reads


def test_a_stopped_process_is_fenced_and_serves_no_old_value_when_it_resumes(two_members, redis_server):
    """The reader process stopped (SIGSTOP) with a copy: the write waits out its lease instead of its ack, and the
    read it answers on resuming shows the write."""
    writer, reader = two_members
    expected, _ = total(reader.url)
    total(reader.url)  # its copy
    os.killpg(reader.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        create_contact(writer.url, 900)
        waited = time.monotonic() - started
        answer = {}
        thread = threading.Thread(target=lambda: answer.update(seen=total(reader.url)))
        thread.start()  # sent now, answered when the process resumes
        time.sleep(0.1)
    finally:
        os.killpg(reader.process.pid, signal.SIGCONT)
    thread.join(timeout=30)
    assert answer["seen"][0] == expected + 1
    assert waited >= 0.3, "the write answered without the stopped process's ack nor its lease waited out"


def test_a_dropped_subscription_stops_serving_until_it_registers_again(two_members, redis_server):
    """CLIENT KILL on the subscribers: writes go on being seen at once, and both processes come back as members."""
    urls = [server.url for server in two_members]
    expected, _ = total(urls[1])
    for n in range(20):
        if n % 5 == 0:
            redis_server.probe.client_kill_filter(_type="pubsub")
        total(urls[1])
        create_contact(urls[0], 1000 + n)
        expected += 1
        assert total(urls[1])[0] == expected
    wait_for(lambda: redis_server.probe.scard("cache:local:members") == 2, 10, "both processes registered again")


def test_a_member_that_does_not_acknowledge_is_waited_out(two_members, redis_server):
    """A silent member (registered, subscribed nowhere): the write fences it and answers only after its lease."""
    probe = redis_server.probe
    probe.sadd("cache:local:members", "silent")
    probe.set("cache:local:member:silent", 1, px=1500)
    started = time.monotonic()
    create_contact(two_members[0].url, 2000)
    assert time.monotonic() - started >= 1.0, "answered before the silent member's lease ran out"
    assert not probe.exists("cache:local:member:silent") and not probe.sismember("cache:local:members", "silent")


@pytest.mark.parametrize("two_members", ["gevent"], indirect=True)
def test_a_worker_that_exits_leaves_the_members(two_members, redis_server):
    """gunicorn's worker_exit: the stopped process's lease is deleted at once, so no write waits for it. (gevent, the
    production worker: a gthread worker may hang in its own SIGINT handler and be killed, fakes/servers.py; its
    lease then runs out, as a crashed process's does.)"""
    two_members[1].stop()
    assert redis_server.probe.scard("cache:local:members") == 1
