"""Benchmark: webhook ingestion at Meta's pace (issue 17, point 2): wrk posts notifications of ONE status each
(and some answers) over HTTP to real gunicorn in the Procfile's shape, for a fixed duration, at a fixed rate.

    python -m bench.webhooks_wrk --database-url postgresql://postgres@127.0.0.1:5432/bench_webhooks \
        --redis-url redis://127.0.0.1:6379/12 [--rate 3000] [--duration 10] [--connections 200] [--workers 2]
        [--answer-every 20] [--wrk-threads 2]

The database is EMPTIED and migrated afresh (use a throwaway one). One running campaign, its first messages sent;
notification k is `delivered` for a new message, every third one `read` for a message delivered some 300
notifications earlier, every --answer-every-th a contact's text answer instead (it records an interaction and
queues that contact's second message). The bodies are signed in advance and written to a file; bench/webhooks.lua
makes wrk post each once, at --rate per second (0: as fast as answered), from --connections connections.
In the same run the same wrk script first posts to a bare WSGI app under the same gunicorn settings
(bench/webhooks_floor.py): the generator's and gunicorn's own ceiling. Afterwards the server-side check: every
posted status applied (each message at the highest status posted for it), one interaction and one second
message per answer, the campaign's counters equal to a recount. Reports load average and the server's CPU.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

from sqlalchemy import func, select, text

from bench.common import ROOT
from bench.procfs import worker_pids
from bench.webhooks import SECRET, _at, clean_redis, fresh_schema, seed
from chatbot import create_app, unit_of_work
from chatbot.config import database_url
from chatbot.extensions import db
from chatbot.messaging import counters, intake
from chatbot.models import STATUS_RANK, Campaign, Interaction, Message
from fakes import meta
from fakes.servers import AppServer

READ_LAG = 300


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--rate", type=int, default=3000, help="notifications/s in all (0: as fast as answered)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--answer-every", type=int, default=20)
    parser.add_argument("--window-ms", type=float, default=None, help="WEBHOOK_BATCH_WINDOW_MS (default: the app's)")
    parser.add_argument("--skip-floor", action="store_true")
    return parser.parse_args()


def plan(count, answer_every):
    """[(kind, index, status)] of `count` notifications: deliveries, reads READ_LAG later, some answers."""
    items, delivered, answers = [], 0, 0
    for k in range(count):
        if answer_every and k % answer_every == answer_every - 1:
            items.append(("answer", answers, None))
            answers += 1
        elif k % 3 == 2 and delivered > READ_LAG:
            items.append(("status", delivered - READ_LAG, "read"))
        else:
            items.append(("status", delivered, "delivered"))
            delivered += 1
    return items


def write_bodies(path, items, wamids, phones):
    """One `signature<TAB>body` line per notification (json.dumps escapes newlines)."""
    now = _at(time.time())
    with open(path, "w") as out:
        for n, (kind, index, status) in enumerate(items):
            if kind == "status":
                payload = meta.notification(statuses=[meta.status(wamids[index], status, now)])
            else:  # answers come from the last contacts: their messages get no status meanwhile
                payload = meta.notification(messages=[meta.text(f"wamid.answer.{n}", phones[-1 - index], now)])
            raw = json.dumps(payload, separators=(",", ":"))
            out.write(f"{meta.sign(raw.encode(), SECRET)}\t{raw}\n")


def run_wrk(url, bodies, args):
    """wrk with bench/webhooks.lua; its RESULT line as a dict."""
    command = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s",
               "--timeout", "10s", "-s", os.path.join(ROOT, "bench", "webhooks.lua"), url, "--",
               bodies, str(args.wrk_threads), str(args.rate)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(text for text in output.splitlines() if text.startswith("RESULT "))
    result = dict(pair.split("=") for pair in line.split()[1:])
    each = [int(n) for n in result.pop("built_each").split(",")]
    return {**{key: int(value) for key, value in result.items()}, "built_each": each}


def cpu_seconds(pids):
    """utime + stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(label, server, bodies, args):
    """Run wrk against a started server; print and return its result."""
    pids = worker_pids(server.process.pid)
    cpu, load = cpu_seconds(pids), os.getloadavg()[0]
    result = run_wrk(server.url, bodies, args)
    seconds = result["duration_us"] / 1e6
    errors = {k: v for k, v in result.items() if k.startswith("errors_") and v}
    print(f"{label}: {result['requests']} answered in {seconds:.1f}s = {result['requests'] / seconds:.0f}/s; "
          f"ack p50 {result['p50_us'] / 1000:.1f} ms, p90 {result['p90_us'] / 1000:.1f} ms, "
          f"p99 {result['p99_us'] / 1000:.1f} ms, max {result['max_us'] / 1000:.1f} ms; errors {errors or 'none'}; "
          f"server CPU {cpu_seconds(pids) - cpu:.1f}s ({args.workers} workers); load {load:.2f} -> "
          f"{os.getloadavg()[0]:.2f}")
    return result


def drained(app, deadline_seconds=300):
    """Wait for the server to apply what it stored during the burst (chatbot/messaging/intake.py); print how long
    that took after the last acknowledgement, and at what rate."""
    started, first = time.monotonic(), None
    with app.app_context():
        while True:
            waiting, aside = intake.backlog()
            first = waiting if first is None else first
            if not waiting or time.monotonic() - started > deadline_seconds:
                break
            time.sleep(0.1)  # polling the server's progress, up to the deadline
    seconds = time.monotonic() - started
    print(f"stored in the burst: {first} notifications, applied {first - waiting} in {seconds:.1f}s after the last "
          f"ack ({(first - waiting) / max(seconds, 1e-9):.0f}/s), {waiting} left, {aside} set aside")


def check(app, items, wamids, posted):
    """Every posted status applied, answers once each, counters equal a recount; prints the verdict."""
    expected = {}
    answers = 0
    for kind, index, status in (items[n] for n in posted):
        if kind == "answer":
            answers += 1
        elif STATUS_RANK[status] > STATUS_RANK.get(expected.get(index), 0):
            expected[index] = status
    with app.app_context():
        rows = dict(db.session.execute(select(Message.wamid, Message.status).where(Message.step == 1)).all())
        wrong = [(index, status, rows[wamids[index]]) for index, status in expected.items()
                 if rows[wamids[index]] != status]
        interactions = db.session.scalar(select(func.count()).select_from(Interaction))
        seconds = db.session.scalar(select(func.count()).select_from(Message).where(Message.step == 2))
        campaign = db.session.scalars(select(Campaign)).one()
        recount = counters.compute([campaign.id])[campaign.id]
        drift = {k: (getattr(campaign, k), v) for k, v in recount.items() if getattr(campaign, k) != v}
    print(f"check: {len(expected)} messages with a posted status, {len(wrong)} not at it {wrong[:5]}; "
          f"{answers} answers posted, {interactions} interactions, {seconds} second messages; "
          f"counters vs recount: {drift or 'equal'}")
    return not wrong and interactions == seconds == answers and not drift


def posted_set(items, result, threads):
    """Which notifications were posted: wrk thread t posts lines t, t+T, ... in order, `built_each[t]` of them."""
    return sorted(n for t, built in enumerate(result["built_each"]) for n in range(t, len(items), threads)[:built])


def main():
    """Seed, measure the floor, measure the app, check."""
    args = parse_args()
    url = database_url(args.database_url, "")
    # Enough notifications for the whole run: at the rate asked (and a margin), or as fast as the floor answers.
    count = int((args.rate * 1.3 if args.rate else 6000) * args.duration)
    items = plan(count, args.answer_every)
    fresh_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": args.redis_url, "SCHEDULER_ENABLED": False,
                      "LOG_LEVEL": "WARNING"})
    wamids, phones = seed(app, count)
    with app.app_context():  # the seed marks the messages sent in bulk: its counters recounted once, and the
        # planner's statistics taken (autovacuum would, later: without them it expects no message sent yet)
        unit_of_work.run(lambda uow: counters.recompute(db.session.scalars(select(Campaign.id)).all()))
        unit_of_work.run(lambda uow: db.session.execute(text("ANALYZE")))
    # As in production: each worker on its own SO_REUSEPORT socket (gunicorn.conf.py), or wrk's connections,
    # all opened at once, may all land on the worker that wakes first.
    env = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "WHATSAPP_APP_SECRET": SECRET,
           "WEB_CONCURRENCY": args.workers, "GUNICORN_REUSE_PORT": "true",
           **({"WEBHOOK_BATCH_WINDOW_MS": args.window_ms} if args.window_ms is not None else {})}
    with tempfile.NamedTemporaryFile("w", suffix=".bodies") as bodies:
        write_bodies(bodies.name, items, wamids, phones)
        print(f"{count} signed notifications (1 status each, an answer every {args.answer_every}); rate "
              f"{args.rate or 'unlimited'}/s for {args.duration}s from {args.connections} connections, "
              f"{args.wrk_threads} wrk threads; gunicorn {args.workers} gevent workers")
        try:
            if not args.skip_floor:
                with AppServer(env, workers=args.workers, app="bench.webhooks_floor:app",
                               config="bench/peers_gunicorn.py") as floor:
                    measure("floor (bare WSGI app, same gunicorn)", floor, bodies.name, args)
            with AppServer(env, workers=args.workers) as server:
                result = measure("app", server, bodies.name, args)
                drained(app)
                server.process.terminate()  # graceful: the requests in flight when wrk stopped are finished
                server.process.wait(timeout=60)
            ok = check(app, items, wamids, posted_set(items, result, args.wrk_threads))
        finally:
            clean_redis(args.redis_url)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
