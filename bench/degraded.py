"""Benchmark: what a request costs with Redis healthy, refused, or silent (circuit breaker open).

    python -m bench.degraded [--database-url postgresql://postgres@127.0.0.1:5432/test_c]
                             [--requests 500] [--contacts 5000] [--messages 20000] [--categories 10]

Without --database-url it uses a temporary SQLite file; a PostgreSQL database given here is EMPTIED
(use a throwaway one). It seeds demo data (`seed demo`), starts a private redis-server on a free port
(fakes/servers.py) for the healthy case, and measures in-process (Flask test client, no HTTP socket):

- GET /api/messages/stats and GET /api/categories: HIT (healthy), BYPASS with Redis refused and with a
  Redis that never answers, each after the first request that opened the breaker;
- the first request against each dead Redis (the one that pays the connect refusal / socket timeout);
- the cache layer alone with the breaker open (`get_or_compute` around a no-op computation);
- the database computation alone (what BYPASS must pay anyway).
"""
import argparse
import os
import shutil
import statistics
import tempfile
import time

from sqlalchemy import create_engine

from bench.common import truncate_all
from chatbot import create_app
from chatbot.cache import get_cache
from chatbot.extensions import db
from fakes.servers import RedisServer, SilentServer, free_port

PATHS = ("/api/messages/stats", "/api/categories")


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--categories", type=int, default=10)
    return parser.parse_args()


def prepare_database(args, workdir):
    """An empty, migrated database filled by `seed demo`; returns its URL."""
    from flask_migrate import upgrade

    from chatbot.config import database_url
    from chatbot.seed import seed_demo

    url = database_url(args.database_url, "") if args.database_url else f"sqlite:///{workdir}/bench.sqlite3"
    config = {"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "LOG_LEVEL": "ERROR",
              "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "REDIS_CONNECT_TIMEOUT": 0.05}
    app = create_app(config)
    with app.app_context():
        upgrade()
        if url.startswith("postgresql"):
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(truncate_all())
            engine.dispose()
        seed_demo(args.contacts, args.messages, args.categories, seed=1)
        db.engine.dispose()
    return url


def build(url, redis_url, **extra):
    """An app on that database and Redis; the breaker stays open for the whole run once opened."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "SCHEDULER_ENABLED": False,
                       "CACHE_METRICS_FLUSH_SECONDS": 0, "LOG_LEVEL": "ERROR", "REDIS_BREAKER_COOLDOWN": 3600,
                       **extra})


def timed(fn, n):
    """Milliseconds of each of n calls."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples):
    """mean / p50 / p95 in ms."""
    ordered = sorted(samples)
    return (f"mean {statistics.fmean(ordered):8.3f}  p50 {ordered[len(ordered) // 2]:8.3f}  "
            f"p95 {ordered[int(len(ordered) * 0.95) - 1]:8.3f} ms")


def get(client, path, expected):
    """One GET, checked: 200 with the expected X-Cache."""
    response = client.get(path)
    assert response.status_code == 200 and response.headers["X-Cache"] == expected, (path, response.headers)


def scenario(label, app, expected, n):
    """The first request (pays whatever the dead Redis costs), then n more per path."""
    client = app.test_client()
    first = timed(lambda: get(client, PATHS[0], "MISS" if expected == "HIT" else expected), 1)[0]
    print(f"{label:<28} first request {first:9.3f} ms")
    for path in PATHS:
        assert client.get(path).status_code == 200  # warm: the entry is cached (or the breaker open)
        print(f"  {path:<26} {expected:<6} {summary(timed(lambda: get(client, path, expected), n))}")


def layer_alone(app, n):
    """The cache layer's own cost with the breaker open: get_or_compute around a no-op."""
    with app.app_context():
        cache = get_cache()
        samples = timed(lambda: cache.get_or_compute("stats:global", dict), n * 10)
    print(f"  cache layer alone, breaker open: {summary(samples)}")


def database_alone(app, n):
    """The stats and category computations alone (what a BYPASS pays anyway)."""
    from chatbot.services import categories, stats
    with app.app_context():
        print(f"  compute_stats() alone        {summary(timed(stats.compute_stats, n))}")
        print(f"  category list alone          {summary(timed(categories.compute_list, n))}")


def main():
    """Run every scenario and print the figures."""
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-degraded-")
    try:
        url = prepare_database(args, workdir)
        print(f"database {url.split('@')[-1]}: {args.contacts} contacts, {args.messages} messages, "
              f"{args.categories} categories; {args.requests} requests per path\n")
        with RedisServer(os.path.join(workdir, "redis")) as server:
            healthy = build(url, server.url)
            scenario("healthy Redis", healthy, "HIT", args.requests)
            database_alone(healthy, args.requests)
        refused = build(url, f"redis://127.0.0.1:{free_port()}/0")
        scenario("Redis refused (breaker)", refused, "BYPASS", args.requests)
        layer_alone(refused, args.requests)
        with SilentServer() as silent:
            scenario("Redis silent (breaker)", build(url, silent.url), "BYPASS", args.requests)
            print(f"  connection attempts on the silent server: {silent.attempts()}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
