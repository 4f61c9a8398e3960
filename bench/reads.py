"""Benchmark: the API's hot reads at production size, over HTTP, each against a baseline in the same run.

    python -m bench.reads [--database-url postgresql://postgres@127.0.0.1:5432/bench]
                          [--redis-url redis://127.0.0.1:6379/12] [--contacts 100000 --messages 1000000
                          --categories 50] [--skip-seed] [--port 8765] [--out BENCHMARKS.md]

It REBUILDS the schema of that database (its name must contain "bench"), seeds it with
`flask seed demo` (timed), starts the app under gunicorn (2 workers, SCHEDULER_ENABLED=false) and measures:
stats uncached against cached, the category list against the naive one-count-per-category way, messages
page 1 against page 5,000 (keyset) and the SQL OFFSET baseline, the gzip size of a 200-row page, cached
stats under wrk at 16 connections, and Redis commands per request; then EXPLAIN (ANALYZE) with and
without each index. The figures replace the generated part of BENCHMARKS.md. In Redis it only deletes the
app's own cache entries (`cache:stats:*`, `cache:categories:*`).
"""
import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time

import redis
from sqlalchemy import text

from bench import reads_report, reads_sql
from bench.common import ROOT
from chatbot import create_app
from chatbot.extensions import db
from chatbot.services.messages import encode_cursor

STATS, CATEGORIES = "cache:stats:global", "cache:categories:list"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--contacts", type=int, help="default 100,000, or messages / 14 when more are needed: a "
                        "contact gets at most one campaign a day, so 10,000,000 messages need about 700,000")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--skip-seed", action="store_true", help="measure the data already there")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--deep-page", type=int, default=5000, help="the deep page compared with page 1")
    parser.add_argument("--rounds", type=int, default=1, help="multiply the number of samples")
    parser.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = parser.parse_args()
    if args.contacts is None:
        args.contacts = max(100_000, -(-args.messages // 14))
    return args


def environment(args):
    """The app's environment for the CLI and gunicorn."""
    return {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
            "SCHEDULER_ENABLED": "false", "WEB_CONCURRENCY": "2", "PORT": str(args.port)}


def rebuild_and_seed(args, env):
    """Empty schema, `flask db upgrade`, then the timed `flask seed demo`."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SCHEDULER_ENABLED": False,
                      "REDIS_URL": args.redis_url})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    command = flask + ["seed", "demo", "--contacts", str(args.contacts), "--messages", str(args.messages),
                       "--categories", str(args.categories), "--seed", "1"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return {"wall_s": round(time.perf_counter() - started, 1), "output": done.stdout.strip().splitlines()[-1],
            "command": f"flask --app wsgi seed demo --contacts {args.contacts} --messages {args.messages} "
                       f"--categories {args.categories}"}


class Client:
    """One keep-alive HTTP connection; each call returns (ms, response, body)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path, headers=None):
        started = time.perf_counter()
        self.conn.request("GET", path, headers=headers or {})
        response = self.conn.getresponse()
        body = response.read()
        return (time.perf_counter() - started) * 1000, response, body


def start_gunicorn(args, env):
    """gunicorn wsgi:app (2 workers), waited for until /api/health answers."""
    log = open("/tmp/bench-reads-gunicorn.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if Client(args.port).get("/api/health")[1].status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("gunicorn did not answer; see /tmp/bench-reads-gunicorn.log")


def sample(client, path, count, before=None, headers=None, expect=None):
    """Latencies (ms) of `count` GETs, calling before() ahead of each; checks the X-Cache header."""
    latencies, app_ms = [], []
    for _ in range(count):
        if before:
            before()
        ms, response, _ = client.get(path, headers)
        assert response.status == 200, (path, response.status)
        assert expect is None or response.getheader("X-Cache") == expect, (path, response.getheader("X-Cache"))
        latencies.append(ms)
        app_ms.append(float(re.search(r"dur=([\d.]+)", response.getheader("Server-Timing")).group(1)))
    return {"http": latencies, "app": app_ms}


def http_measurements(args, client, store, conn):
    """Every HTTP figure except the load test."""
    n = args.rounds
    sample(client, "/api/messages/stats", 200)  # warm-up: both code paths, the pool, the buffer cache
    result = {
        "stats_uncached": sample(client, "/api/messages/stats", 60 * n, lambda: store.unlink(STATS), expect="MISS"),
        "stats_cached": sample(client, "/api/messages/stats", 3000 * n, expect="HIT"),
        "categories_uncached": sample(client, "/api/categories", 60 * n, lambda: store.unlink(CATEGORIES),
                                      expect="MISS"),
        "categories_cached": sample(client, "/api/categories", 2000 * n, expect="HIT"),
    }
    after = reads_sql.deep_cursor(conn)
    cursor = encode_cursor(after[0], after[1])
    conn.rollback()
    first = "/api/messages?per_page=%d" % reads_sql.PER_PAGE
    result["page_1"] = sample(client, first, 300 * n)
    result["page_deep"] = sample(client, f"{first}&cursor={cursor}", 300 * n)
    plain = client.get("/api/messages?per_page=200")[2]
    _, response, packed = client.get("/api/messages?per_page=200", {"Accept-Encoding": "gzip"})
    result["gzip"] = {"plain": len(plain), "gzip": len(packed), "encoding": response.getheader("Content-Encoding")}
    return result


def commands_per_request(client, store, path, count, before=None):
    """Redis commands per request: INFO commandstats delta (server-wide) and MONITOR (this db, clients only)."""
    seen = []
    db_number = store.connection_pool.connection_kwargs.get("db", 0)

    def monitor(ready, stop):
        with store.monitor() as m:
            ready.set()
            for command in m.listen():
                if stop.is_set() and "PING" in command["command"].upper():
                    return
                if command["db"] == db_number and command["client_type"] != "lua":
                    seen.append(command["command"].split()[0].upper())
    before_stats = total_calls(store)
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=monitor, args=(ready, stop), daemon=True)
    thread.start()
    ready.wait(5)
    time.sleep(0.2)
    for _ in range(count):
        if before:
            before()
        client.get(path)
    time.sleep(0.2)
    stop.set()
    store.ping()
    thread.join(5)
    delta = total_calls(store) - before_stats
    ours = [c for c in seen if c not in ("UNLINK", "PING", "INFO")]  # the bench's own commands
    names = sorted({c for c in ours})
    return {"monitor": len(ours) / count, "commandstats": delta / count, "commands": names}


def total_calls(store):
    """Sum of `calls` over INFO commandstats."""
    return sum(v["calls"] for v in store.info("commandstats").values())


def redis_counts(client, store):
    """Commands per cached stats read, per uncached one, per cached category list."""
    client.get("/api/messages/stats")
    client.get("/api/categories")
    return {
        "stats cached (HIT)": commands_per_request(client, store, "/api/messages/stats", 500),
        "stats uncached (MISS)": commands_per_request(client, store, "/api/messages/stats", 30,
                                                      lambda: store.unlink(STATS)),
        "categories cached (HIT)": commands_per_request(client, store, "/api/categories", 500),
    }


def load_test(port, seconds=15):
    """wrk at 16 connections on cached stats: requests per second and latency percentiles."""
    Client(port).get("/api/messages/stats")
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency",
                          f"http://127.0.0.1:{port}/api/messages/stats"], capture_output=True, text=True).stdout
    found = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": found.get("50"),
            "p99": found.get("99"), "raw": out.strip()}


def machine(store, settings):
    """nproc, RAM, versions, load."""
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "redis": store.info("server")["redis_version"], "python": sys.version.split()[0],
            "load": open("/proc/loadavg").read().split()[:3], **settings}


def main():
    args = parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing to rebuild a database whose name does not contain 'bench'")
    env = environment(args)
    reads_sql.DEEP_PAGE = args.deep_page
    started = time.perf_counter()
    seeded = None if args.skip_seed else rebuild_and_seed(args, env)
    store = redis.Redis.from_url(args.redis_url)
    store.unlink(STATS, CATEGORIES)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SCHEDULER_ENABLED": False,
                      "REDIS_URL": args.redis_url})
    server = start_gunicorn(args, env)
    try:
        with app.app_context(), db.engine.connect() as conn:
            settings = reads_sql.server_settings(conn)
            load_before = machine(store, settings)["load"]
            results = {"seed": seeded, "http": http_measurements(args, Client(args.port), store, conn),
                       "redis": redis_counts(Client(args.port), store), "wrk": load_test(args.port),
                       "sql": reads_sql.statement_timings(conn, 15 * args.rounds),
                       "indexes": reads_sql.index_evidence(conn)}
            results["machine"] = {**machine(store, settings), "load_before": load_before}
    finally:
        server.terminate()
        server.wait(10)
    results["duration_s"] = round(time.perf_counter() - started)
    results["deep_page"] = args.deep_page
    results["data"] = {"contacts": args.contacts, "messages": args.messages, "categories": args.categories}
    markdown = reads_report.render(results)
    reads_report.write(args.out, markdown)
    print(markdown)


if __name__ == "__main__":
    main()
