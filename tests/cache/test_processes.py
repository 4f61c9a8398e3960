"""Read your writes across two real app processes (gunicorn) sharing PostgreSQL and Redis, under load."""
import bisect
import collections
import itertools
import threading
import time

import pytest
import requests

from fakes.servers import AppServer, stop_all
from tests.conftest import REDIS_URL

LOAD_SECONDS = 2.5
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
        self.stop_at = time.monotonic() + LOAD_SECONDS
        self._phones = itertools.count(1)
        self._lock = threading.Lock()

    def writer(self, n):
        """POST contacts, alternating processes and categories."""
        session = requests.Session()
        for i in itertools.count():
            if time.monotonic() >= self.stop_at:
                return
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
            time.sleep(0.01)  # leave the readers time to hit the cache between writes

    def reader(self, n):
        """GET the stats, the list and a detail, alternating processes."""
        session = requests.Session()
        paths = ["/api/messages/stats", "/api/categories", *(f"/api/categories/{i}" for i in self.category_ids)]
        for i in itertools.count():
            if time.monotonic() >= self.stop_at:
                return
            process, path = (n + i) % 2, paths[(n * 7 + i) % len(paths)]
            started = time.monotonic()
            response = session.get(self.urls[process] + path)
            if response.status_code != 200:
                self.errors.append(("read", path, response.status_code))
                continue
            self.reads.append((started, path, response.json(), response.headers["X-Cache"], process))

    def run(self):
        """All threads at once, until the deadline."""
        threads = [threading.Thread(target=self.writer, args=(n,)) for n in range(WRITERS)]
        threads += [threading.Thread(target=self.reader, args=(n,)) for n in range(READERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self


def observed(path, body):
    """{"total" or category id: count} that a read shows."""
    if path == "/api/messages/stats":
        return {"total": body["contacts"]["total"]}
    if path == "/api/categories":
        return {item["id"]: item["contact_count"] for item in body["items"]}
    return {body["id"]: body["contact_count"]}


def stale_reads(load):
    """Reads that miss a write which had answered before the read started."""
    finished = sorted(load.writes)
    times = [t for t, _ in finished]
    stale = []
    for started, path, body, x_cache, process in load.reads:
        done = finished[:bisect.bisect_left(times, started)]
        expected = collections.Counter(category for _, category in done)
        expected["total"] = len(done)
        for what, count in observed(path, body).items():
            if count < expected[what]:
                stale.append((path, process, x_cache, what, count, expected[what]))
    return stale


@pytest.mark.postgresql_only
def test_no_process_serves_a_value_older_than_an_answered_write(two_processes):
    """Hot readers and writers on two processes: every read started after a write's answer shows it."""
    urls = two_processes
    category_ids = [requests.post(urls[0] + "/api/categories", json={"name": name}).json()["id"]
                    for name in ("North", "South", "West")]
    load = Load(urls, category_ids).run()
    assert load.errors == []
    assert len(load.writes) >= 20 and len(load.reads) >= 100, (len(load.writes), len(load.reads))
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
    time.sleep(0.6)  # both flushers (every 0.2 s) have run since the last lookup
    metrics = requests.get(urls[0] + "/api/cache/stats").json()
    assert metrics["hits"] == statuses["HIT"] and metrics["misses"] == statuses["MISS"], (metrics, statuses)
    assert metrics["available"] is True and metrics["since"].endswith("Z")
    assert metrics["hit_ratio"] == round(statuses["HIT"] / 40, 4)
    assert requests.get(urls[1] + "/api/cache/stats").json()["hits"] == metrics["hits"]
