"""Read your writes across two real app processes (gunicorn) sharing PostgreSQL and Redis, under load.

Counts, not durations: a fixed number of writes, reads until the writers are done. How many requests a
second this load reaches is bench/processes.py's question.
"""
import collections
import itertools
import threading
import time

import pytest
import requests

from fakes.servers import AppServer, stop_all
from fakes.staleness import stale_reads
from tests.conftest import REDIS_URL

WRITES_EACH = 12
WRITERS, READERS = 2, 4


@pytest.fixture
def two_processes(database_url, redis_url):
    """Two gunicorn processes (one worker, four threads each) on the test databases."""
    env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "CACHE_METRICS_FLUSH_SECONDS": "0.2",
           "CACHE_TTL_SECONDS": "60"}
    servers = [AppServer(env).start(), AppServer(env).start()]
    try:
        for server in servers:
            server.wait_ready()
        yield [server.url for server in servers]
    finally:
        stop_all(servers)


class Load:
    """Writers create contacts in three categories; readers read the three cached views; all timed."""

    def __init__(self, urls, category_ids):
        self.urls, self.category_ids = urls, category_ids
        self.writes = []          # (finished_at, category_id) once the response arrived
        self.reads = []           # (started_at, path, body, x_cache, process index)
        self.errors = []
        self.writers_done = threading.Event()
        self._phones = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def paths(self):
        """The cached views: stats, the category list, each category."""
        return ["/api/messages/stats", "/api/categories", *(f"/api/categories/{i}" for i in self.category_ids)]

    def writer(self, n):
        """POST WRITES_EACH contacts, alternating processes and categories."""
        session = requests.Session()
        for i in range(WRITES_EACH):
            category_id = self.category_ids[(n + i) % len(self.category_ids)]
            phone = f"+1415{3000000 + next(self._phones) * 10 + n:07d}"
            response = session.post(self.urls[(n + i) % 2] + "/api/contacts",
                                    json={"phone": phone, "name": f"W{n}-{i}", "category_ids": [category_id]})
            finished = time.monotonic()
            if response.status_code != 201:
                self.errors.append(("write", response.status_code, response.text))
                continue
            with self._lock:
                self.writes.append((finished, category_id))

    def read(self, session, process, path):
        """One timed GET, kept for the staleness check."""
        started = time.monotonic()
        response = session.get(self.urls[process] + path)
        if response.status_code != 200:
            self.errors.append(("read", path, response.status_code))
            return
        self.reads.append((started, path, response.json(), response.headers["X-Cache"], process))

    def reader(self, n):
        """GET the stats, the list and a detail, alternating processes, until the writers are done."""
        session = requests.Session()
        for i in itertools.count():
            if self.writers_done.is_set():
                break
            self.read(session, (n + i) % 2, self.paths[(n * 7 + i) % len(self.paths)])
        # Then each view twice through each process: with no write left, the second read of each is a HIT.
        for _ in range(2):
            for process in (0, 1):
                for path in self.paths:
                    self.read(session, process, path)

    def run(self):
        """All threads at once; readers stop once every writer is done."""
        writers = [threading.Thread(target=self.writer, args=(n,)) for n in range(WRITERS)]
        readers = [threading.Thread(target=self.reader, args=(n,)) for n in range(READERS)]
        for thread in writers + readers:
            thread.start()
        for thread in writers:
            thread.join(timeout=120)
        self.writers_done.set()
        for thread in readers:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in writers + readers), "the load did not finish"
        return self


@pytest.mark.postgresql_only
def test_no_process_serves_a_value_older_than_an_answered_write(two_processes):
    """Hot readers and writers on two processes: every read started after a write's answer shows it."""
    urls = two_processes
    category_ids = [requests.post(urls[0] + "/api/categories", json={"name": name}).json()["id"]
                    for name in ("North", "South", "West")]
    load = Load(urls, category_ids).run()
    assert load.errors == []
    assert len(load.writes) == WRITERS * WRITES_EACH
    hits = collections.Counter((process, x_cache) for *_, x_cache, process in load.reads)
    assert hits[(0, "HIT")] > 0 and hits[(1, "HIT")] > 0, hits  # the cache really served reads
    assert stale_reads(load) == []
    final = requests.get(urls[1] + "/api/messages/stats").json()["contacts"]["total"]
    assert final == len(load.writes)


@pytest.mark.postgresql_only
def test_cache_metrics_add_up_across_processes(two_processes):
    """Each process counts locally and flushes in batches; /api/cache/stats shows the sum of both."""
    urls = two_processes
    statuses = collections.Counter()
    for i in range(40):
        response = requests.get(urls[i % 2] + ("/api/messages/stats" if i % 3 else "/api/categories"))
        statuses[response.headers["X-Cache"]] += 1
    metrics = flushed(urls[0], lookups=40)
    assert metrics["hits"] == statuses["HIT"] and metrics["misses"] == statuses["MISS"], (metrics, statuses)
    assert metrics["available"] is True and metrics["since"].endswith("Z")
    assert metrics["hit_ratio"] == round(statuses["HIT"] / 40, 4)
    assert requests.get(urls[1] + "/api/cache/stats").json()["hits"] == metrics["hits"]


def flushed(url, lookups, timeout=15):
    """/api/cache/stats once both processes' flushers (every 0.2 s) have added `lookups` lookups (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        metrics = requests.get(url + "/api/cache/stats").json()
        if metrics["hits"] + metrics["misses"] >= lookups or time.monotonic() > deadline:
            return metrics
        time.sleep(0.05)
