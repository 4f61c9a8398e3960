"""Benchmark: reads and writes per second across two gunicorn processes sharing PostgreSQL and Redis.

    python -m bench.processes --database-url postgresql://postgres@127.0.0.1:5432/test_d \
                              --redis-url redis://127.0.0.1:6379/4 [--seconds 10] [--writers 2] [--readers 4]

The database is EMPTIED and migrated afresh (use a throwaway one). Two app processes (fakes.servers.AppServer:
gunicorn, one worker, four threads each) serve --writers threads creating contacts in three categories and
--readers threads reading the three cached views (stats, category list, category detail), each alternating
processes, for --seconds. It prints writes/s, reads/s, X-Cache per process and how many reads missed a write
answered before they started (must be 0: tests/cache/test_processes.py checks that behaviour with counts;
this measures what the load reaches). In Redis it writes only the app's keys and deletes its monitoring:* ones.
"""
import argparse
import collections
import itertools
import threading
import time

import requests

from bench.webhooks import clean_redis, fresh_schema
from chatbot.config import database_url
from fakes.servers import AppServer, stop_all
from fakes.staleness import stale_reads

PATHS = ("/api/messages/stats", "/api/categories")


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=4)
    return parser.parse_args()


class Load:
    """Timed writers and readers against two processes; keeps every answered write and read."""

    def __init__(self, urls, category_ids, seconds):
        self.urls, self.category_ids = urls, category_ids
        self.paths = [*PATHS, *(f"/api/categories/{i}" for i in category_ids)]
        self.writes, self.reads, self.errors = [], [], []
        self.stop_at = time.monotonic() + seconds
        self.phones = itertools.count(1)

    def writer(self, n):
        """POST contacts until the deadline, alternating processes and categories."""
        session = requests.Session()
        for i in itertools.count():
            if time.monotonic() >= self.stop_at:
                return
            category_id = self.category_ids[(n + i) % len(self.category_ids)]
            response = session.post(self.urls[(n + i) % 2] + "/api/contacts", json={
                "phone": f"+1415{3000000 + next(self.phones) * 10 + n:07d}", "name": f"W{n}-{i}",
                "category_ids": [category_id]})
            if response.status_code != 201:
                self.errors.append(("write", response.status_code))
                continue
            self.writes.append((time.monotonic(), category_id))

    def reader(self, n):
        """GET the cached views until the deadline, alternating processes."""
        session = requests.Session()
        for i in itertools.count():
            if time.monotonic() >= self.stop_at:
                return
            process, path = (n + i) % 2, self.paths[(n * 7 + i) % len(self.paths)]
            started = time.monotonic()
            response = session.get(self.urls[process] + path)
            if response.status_code != 200:
                self.errors.append(("read", response.status_code))
                continue
            self.reads.append((started, path, response.json(), response.headers["X-Cache"], process))

    def run(self, writers, readers):
        """Every thread at once, until the deadline; returns the elapsed seconds."""
        threads = [threading.Thread(target=self.writer, args=(n,)) for n in range(writers)]
        threads += [threading.Thread(target=self.reader, args=(n,)) for n in range(readers)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def main():
    """Two processes, the timed load, the figures."""
    args = parse_args()
    url = database_url(args.database_url, "")
    fresh_schema(url)
    env = {"DATABASE_URL": url, "REDIS_URL": args.redis_url, "CACHE_TTL_SECONDS": "60"}
    servers = [AppServer(env).start(), AppServer(env).start()]
    try:
        urls = [server.wait_ready().url for server in servers]
        category_ids = [requests.post(urls[0] + "/api/categories", json={"name": f"Bench {name}"}).json()["id"]
                        for name in ("North", "South", "West")]
        load = Load(urls, category_ids, args.seconds)
        elapsed = load.run(args.writers, args.readers)
    finally:
        stop_all(servers)
        clean_redis(args.redis_url)
    caches = collections.Counter((process, x_cache) for *_, x_cache, process in load.reads)
    print(f"{args.writers} writers, {args.readers} readers, {elapsed:.1f} s: "
          f"{len(load.writes) / elapsed:.1f} writes/s, {len(load.reads) / elapsed:.1f} reads/s, "
          f"{len(load.errors)} errors")
    for process in (0, 1):
        shown = ", ".join(f"{status} {caches[(process, status)]}" for status in ("HIT", "MISS", "BYPASS"))
        print(f"  process {process + 1}: {shown}")
    print(f"  reads that missed an answered write: {len(stale_reads(load))} (must be 0)")


if __name__ == "__main__":
    main()
