"""Benchmark: normal requests while 50 slow clients hold connections, and what the serving model costs.

    python -m bench.slow_clients --database-url postgresql://postgres@127.0.0.1:5432/test_h5 \
        --redis-url redis://127.0.0.1:6379/5 [--slow 50] [--seconds 10] [--wrk-seconds 10] [--models gevent,gthread]

The database is migrated, not emptied (the bench writes a few categories). For each worker class (gevent, the
chosen model; gthread, the former one) it starts the Procfile's `web` command (gunicorn.conf.py, 2 workers,
scheduler on) with GUNICORN_WORKER_CLASS set, then:
1. cached stats throughput, no slow clients: `wrk -t2 -c16 -d<wrk-seconds>s --latency` (if wrk is installed);
2. slow clients: `--slow` connections (half slow header lines, half slow bodies to the public webhook and to
   POST /api/contacts, fakes/dyno.py) held open; meanwhile, for `--seconds`, normal requests one after
   another (cached stats, health, the webhook, a category created), each with a 5 s timeout: answered count and
   latency percentiles. Goal: all answer, p99 < 100 ms. A model that starves stops after 3 timeouts.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import requests

from fakes.dyno import ROOT, TOKEN, Slowloris, WebDyno


TIMEOUT = 5.0
WEBHOOK = {"object": "whatsapp_business_account", "entry": []}
STATS = "/api/messages/stats"


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL (migrated here; not emptied)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--slow", type=int, default=50, help="slow clients held open")
    parser.add_argument("--seconds", type=float, default=10.0, help="normal requests for this long")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--models", default="gevent,gthread", help="worker classes to compare")
    return parser.parse_args()


def migrate(env):
    """The release phase: flask --app wsgi db upgrade."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   env={**os.environ, **env, "SCHEDULER_ENABLED": "false"}, capture_output=True)


def percentile(values, q):
    """The q-th percentile (nearest rank) of `values`, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000


def wrk(url, seconds):
    """(requests/s, p99 text) of wrk on `url`, or None without wrk."""
    if not shutil.which("wrk"):
        return None
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {TOKEN}", url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return (float(rps.group(1)) if rps else None, p99.group(1) if p99 else "?",
            errors.group(0) if errors else "none")


def normal_calls(url):
    """An endless cycle of normal requests, as (label, callable)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    n = 0
    while True:
        n += 1
        yield "stats", lambda: session.get(url + STATS, timeout=TIMEOUT)
        yield "health", lambda: session.get(url + "/api/health", timeout=TIMEOUT)
        yield "webhook", lambda: session.post(url + "/api/webhooks/whatsapp", json=WEBHOOK, timeout=TIMEOUT)
        yield "write", lambda n=n: session.post(url + "/api/categories", timeout=TIMEOUT,
                                                json={"name": f"bench-slow-{time.time_ns()}-{n}"})


def under_slow_clients(dyno, slow_count, seconds):
    """Normal requests for `seconds` while `slow_count` slow clients are held: a summary dict."""
    slow = Slowloris(dyno.port, slow_count, token=TOKEN).open()
    latencies, failures = [], []
    try:
        deadline = time.monotonic() + seconds
        for label, call in normal_calls(dyno.url):
            now = time.monotonic()
            if now >= deadline or len(failures) >= 3:
                break
            start = time.perf_counter()
            try:
                status = call().status_code
                if status in (200, 201):
                    latencies.append(time.perf_counter() - start)
                else:
                    failures.append(f"{label}: {status}")
            except requests.RequestException as exc:
                failures.append(f"{label}: {type(exc).__name__}")
    finally:
        slow.close()
    summary = {"answered": len(latencies), "sent": len(latencies) + len(failures), "reconnects": slow.reconnects,
               "failures": failures[:3]}
    if latencies:
        summary.update(p50=statistics.median(latencies) * 1000, p95=percentile(latencies, 95),
                       p99=percentile(latencies, 99), max=max(latencies) * 1000)
    return summary


def run_model(model, args, env):
    """Start the dyno with this worker class, measure both parts, stop it."""
    dyno = WebDyno({**env, "GUNICORN_WORKER_CLASS": model}).start()
    try:
        for _ in range(3):
            requests.get(dyno.url + STATS, timeout=TIMEOUT)  # the cached value in place: HIT from here on
        load = wrk(dyno.url + STATS, args.wrk_seconds)
        slow = under_slow_clients(dyno, args.slow, args.seconds)
    finally:
        dyno.stop()
    return load, slow


def main():
    """Run every model, print a markdown report."""
    args = parse_args()
    env = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "SCHEDULER_ENABLED": "true",
           "API_TOKEN": TOKEN}
    migrate(env)
    print(f"load average before: {os.getloadavg()}")
    rows = []
    for model in args.models.split(","):
        load, slow = run_model(model, args, env)
        rows.append((model, load, slow))
        print(f"{model}: wrk {load}; slow clients {slow}; load average {os.getloadavg()}", flush=True)
    print("\n| worker class | cached stats req/s (wrk -t2 -c16) | wrk p99 | normal requests answered, "
          f"{args.slow} slow clients pressing | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|---|---|")
    for model, load, slow in rows:
        rps, p99 = (f"{load[0]:.0f}", load[1]) if load else ("(no wrk)", "")
        cells = [f"{slow.get(k, float('nan')):.1f} ms" for k in ("p50", "p95", "p99", "max")]
        answered = f"{slow['answered']} of {slow['sent']} ({slow['reconnects']} slow reconnects)"
        if slow["failures"]:
            answered += f"; {', '.join(slow['failures'])}"
        print(f"| {model} | {rps} | {p99} | {answered} | " + " | ".join(cells) + " |")
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
