"""Benchmark: the cache's misses (uncached category list and stats) of this tree against another tree, in one run.

    git archive main | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    python -m bench.misses --baseline /tmp/base [--database-url postgresql://postgres@127.0.0.1:5432/bench]
                           [--redis-url redis://127.0.0.1:6379/12] [--requests 300]

On a shared machine two runs minutes apart are not comparable, so both trees serve at once, each under gunicorn
(its own gunicorn.conf.py, 2 workers, SCHEDULER_ENABLED=false), on the same database and Redis, and the requests
alternate between them: each GET follows an UNLINK of the entry, so each is a MISS (checked). It also checks that
both trees serve the same category list, byte for byte. Prints p50 and p90 over HTTP and the app's own
Server-Timing, with the load average. The database must already hold data (e.g. `python -m bench.reads` seeds it;
`--contacts 100000 --messages 100000 --deep-page 1000` gives the 100,000 contacts and 50 categories quickly).
In Redis it deletes only `cache:categories:list` and `cache:stats:global`.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import redis

from bench.common import ROOT
from bench.reads import Client

PATHS = (("/api/categories", "cache:categories:list"), ("/api/messages/stats", "cache:stats:global"))
WARM_UP = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the tree to compare with (e.g. main)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per path and tree")
    parser.add_argument("--ports", default="8781,8782")
    return parser.parse_args()


def start(root, port, args):
    """gunicorn wsgi:app from `root` (its own code: `python -m` imports from the working directory first)."""
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "SCHEDULER_ENABLED": "false",
           "WEB_CONCURRENCY": "2", "PORT": str(port)}
    log = open(f"/tmp/bench-misses-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py"], cwd=root,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).get("/api/health")[1].status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn from {root} did not answer; see /tmp/bench-misses-{port}.log")


def measure(clients, store, path, key, count):
    """{tree: [(ms over HTTP, app ms)]} for `count` misses of `path` per tree, interleaved; the last bodies."""
    samples, bodies = {name: [] for name in clients}, {}
    for i in range(WARM_UP + count):
        for name, client in clients.items():
            store.unlink(key)
            ms, response, body = client.get(path)
            assert response.status == 200 and response.getheader("X-Cache") == "MISS", (name, path, response.status)
            if i >= WARM_UP:
                app_ms = float(re.search(r"dur=([\d.]+)", response.getheader("Server-Timing")).group(1))
                samples[name].append((ms, app_ms))
            bodies[name] = body
    return samples, bodies


def percentile(values, q):
    """The q-th quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main():
    args = parse_args()
    ports = [int(p) for p in args.ports.split(",")]
    trees = {"baseline": os.path.abspath(args.baseline), "this tree": ROOT}
    store = redis.Redis.from_url(args.redis_url)
    load_before = open("/proc/loadavg").read().split()[:3]
    servers = [start(root, port, args) for root, port in zip(trees.values(), ports)]
    try:
        clients = {name: Client(port) for name, port in zip(trees, ports)}
        print("| request | tree | n | p50 over HTTP | p90 | app p50 |\n|---|---|---|---|---|---|")
        for path, key in PATHS:
            samples, bodies = measure(clients, store, path, key, args.requests)
            if path == "/api/categories":
                assert len(set(bodies.values())) == 1, "both trees must serve the same bytes"
            for name, values in samples.items():
                http, app = [v[0] for v in values], [v[1] for v in values]
                print(f"| GET {path} (MISS) | {name} | {len(values)} | {percentile(http, .5):.2f} ms | "
                      f"{percentile(http, .9):.2f} ms | {percentile(app, .5):.2f} ms |")
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
    print(f"\nload average {' '.join(load_before)} before, {' '.join(open('/proc/loadavg').read().split()[:3])} after")


if __name__ == "__main__":
    main()
