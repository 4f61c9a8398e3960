"""Benchmark: our cached reads beside two peers, in one run, in the same gunicorn shape.

    python -m bench.peers [--database-url postgresql://postgres@127.0.0.1:5432/test_h2_bench]
                          [--redis-url redis://127.0.0.1:6379/2] [--seed] [--contacts 20000 --messages 200000
                          --categories 50] [--seconds 8] [--rounds 2] [--open] [--no-local-copy]

Three apps, each under gunicorn with the production settings (gunicorn.conf.py: 2 gevent workers, the yield after
each request, the GC frozen; the peers through bench/peers_gunicorn.py), on the same PostgreSQL data and the same
Redis:
- ours: `wsgi:app` as in production (API_TOKEN set and sent by wrk, LOG_LEVEL=INFO: one access line per request,
  security headers, metrics, CACHE_LOCAL_COPY on), `--open` runs it without API_TOKEN, `--no-local-copy` without
  the per-process copies (one MGET a hit);
- the textbook (bench/peers_textbook.py): `@cache.cached(timeout=60)` on Flask-Caching's RedisCache, as its
  documentation shows it (pickle, no invalidation, no degraded mode, no auth);
- the floor (bench/peers_floor.py): a bare Flask view returning the JSON bytes it holds in memory.
Then `--rounds` times, interleaved (round, view, app): `wrk -t2 -c16 -d<seconds>s --latency` on cached
`GET /api/messages/stats` and cached `GET /api/categories`; it prints requests/s, p50 and p99 of each, the ratios
ours/textbook and ours/floor (throughput, best round of each), and the load average before and after.
Then, in this process (bench/peers_cpu.py), each app's CPU time per cached request through its WSGI callable: the
figure that holds on a loud machine, where wrk's do not (`--cpu-only` skips gunicorn and wrk).
`--seed` REBUILDS the database (its name must contain "bench") and seeds it with `flask seed demo` first (as
bench/reads.py does); without it the data already there is measured. In Redis it writes only under `cache:`.
Targets (issue #16): ours >= 1.3x the textbook's throughput and >= 0.7x the floor's, p99 no worse than the textbook's.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import redis
import requests

from bench import peers_cpu
from bench.common import ROOT
from bench.reads import rebuild_and_seed
from fakes.servers import free_port

TOKEN = "peers-bench-token"
VIEWS = {"stats": "/api/messages/stats", "categories": "/api/categories"}
APPS = {
    "ours": ["wsgi:app", "-c", "gunicorn.conf.py"],
    "textbook": ["bench.peers_textbook:app", "-c", "bench/peers_gunicorn.py"],
    "floor": ["bench.peers_floor:app", "-c", "bench/peers_gunicorn.py"],
}


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test_h2_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--seed", action="store_true", help="rebuild the database and seed it first")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--open", action="store_true", help="ours without API_TOKEN (the API open)")
    parser.add_argument("--no-local-copy", action="store_true", help="ours without CACHE_LOCAL_COPY (one MGET a hit)")
    parser.add_argument("--cpu-requests", type=int, default=20_000, help="requests per view and app in process")
    parser.add_argument("--cpu-only", action="store_true", help="only the in-process CPU figures (no gunicorn, wrk)")
    return parser.parse_args()


class Served:
    """One app under gunicorn on a free port; `start()` returns once its cached views answer 200."""

    def __init__(self, name, env, token):
        self.name, self.port = name, free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=60.0):
        """Start gunicorn; wait for both views to answer (the first answer fills the cache)."""
        self.log = tempfile.TemporaryFile()  # a file, not a pipe nobody reads
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", *APPS[self.name]], cwd=ROOT,
                                        env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"{self.name} exited: {self.log.read().decode(errors='replace')[-3000:]}")
            try:
                if all(self.get(path).status_code == 200 for path in VIEWS.values()):
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer in {timeout} s")

    def get(self, path):
        """One GET with this app's headers."""
        return requests.get(self.url + path, headers=self.headers, timeout=5)

    def stop(self):
        """SIGTERM, then SIGKILL if it hangs."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wrk(app, path, seconds):
    """{'rps', 'p50', 'p99', 'errors'} of wrk -t2 -c16 on one cached view (checked to be a hit first)."""
    answer = app.get(path)
    if answer.headers.get("X-Cache") == "MISS":  # expired since the warm-up (the entries' TTL): stored again now
        answer = app.get(path)
    assert answer.status_code == 200 and answer.headers.get("X-Cache", "HIT") == "HIT", (app.name, path)
    headers = [arg for name, value in app.headers.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *headers, app.url + path],
                         capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": to_ms(found["50"]),
            "p99": to_ms(found["99"]), "errors": errors.group(0) if errors else None}


def to_ms(text):
    """wrk's '812.00us' / '5.21ms' / '1.02s' in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(apps, args):
    """{(view, app name): [result per round]}, rounds interleaved so that the machine's noise falls on all."""
    results = {}
    for _ in range(args.rounds):
        for view, path in VIEWS.items():
            for app in apps:
                results.setdefault((view, app.name), []).append(wrk(app, path, args.seconds))
    return results


def report(results, args, loads):
    """The markdown table and the ratios."""
    print(f"wrk -t2 -c16 -d{args.seconds}s, {args.rounds} rounds interleaved; ours "
          f"{'without API_TOKEN' if args.open else 'with API_TOKEN (sent by wrk)'}; load average before "
          f"{loads[0]}, after {loads[1]}\n")
    print("| view | app | requests/s | p50 ms | p99 ms |\n|---|---|---|---|---|")
    for (view, name), rounds in results.items():
        span = lambda key: " – ".join(f"{value:,.{1 if key != 'rps' else 0}f}"  # noqa: E731
                                      for value in sorted({r[key] for r in rounds}))
        errors = "; ".join(r["errors"] for r in rounds if r["errors"])
        print(f"| {view} | {name} | {span('rps')} | {span('p50')} | {span('p99')} |"
              + (f" errors: {errors}" if errors else ""))
    print()
    for view in VIEWS:
        best = {name: max(r["rps"] for r in results[(view, name)]) for name in APPS}
        worst_p99 = {name: max(r["p99"] for r in results[(view, name)]) for name in APPS}
        print(f"{view}: ours/textbook {best['ours'] / best['textbook']:.2f}x (target >= 1.3), "
              f"ours/floor {best['ours'] / best['floor']:.2f}x (target >= 0.7), "
              f"p99 ours {worst_p99['ours']:.1f} ms vs textbook {worst_p99['textbook']:.1f} ms")


def main():
    """Seed if asked, start the three apps, measure, report, stop."""
    args = parse_args()
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "WEB_CONCURRENCY": "2",
           "SCHEDULER_ENABLED": "false", "WHATSAPP_TRANSPORT": "dry-run", "LOG_LEVEL": "INFO",
           "GUNICORN_REUSE_PORT": "true", "API_TOKEN": "" if args.open else TOKEN,
           "CACHE_LOCAL_COPY": "false" if args.no_local_copy else "true"}
    if args.seed:
        if "bench" not in args.database_url.rsplit("/", 1)[-1]:
            raise SystemExit("refusing to rebuild a database whose name does not contain 'bench'")
        print(rebuild_and_seed(args, env)["output"])
    store = redis.Redis.from_url(args.redis_url)
    store.unlink("cache:stats:global", "cache:categories:list")
    if not args.cpu_only:
        run_wrk(args, env)
    token = None if args.open else TOKEN
    peers_cpu.report(peers_cpu.measure(env, VIEWS, token, args.cpu_requests), VIEWS, args.cpu_requests)
    for key in store.scan_iter(match="cache:peers:*"):
        store.unlink(key)


def run_wrk(args, env):
    """The three apps under gunicorn, measured with wrk, stopped; the table printed."""
    apps = [Served("ours", env, None if args.open else TOKEN), Served("textbook", env, None),
            Served("floor", env, None)]
    try:
        for app in apps:
            app.start()
        loads = [" ".join(open("/proc/loadavg").read().split()[:3])]
        results = measure(apps, args)
        loads.append(" ".join(open("/proc/loadavg").read().split()[:3]))
    finally:
        for app in apps:
            app.stop()
    report(results, args, loads)


if __name__ == "__main__":
    main()
