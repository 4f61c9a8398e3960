"""Benchmark: dispatch rate against a local Cloud API (fakes/cloud_api.py), on PostgreSQL.

    python -m bench.dispatch --database-url postgresql://postgres@127.0.0.1:5432/test_d \
                             --redis-url redis://127.0.0.1:6379/4 [--messages 3000] [--limited 480]
                             [--latency 0.2] [--top 20000] [--top-only] [--top-rate 1000]

The database is EMPTIED and migrated afresh (use a throwaway one). Each run launches a campaign to fresh
contacts and times `dispatch.run_once()` (transport `cloud`, real clock, real sleeps):

1. rate limit off, --messages messages, the local server answering at once: the dispatcher's own cost;
2. DISPATCH_RATE_PER_SECOND=80, --limited messages: the achieved rate and the most POSTs the server saw
   in any one-second window (the limiter must hold 80);
3. the same at 80/s with the server answering after --latency seconds (Meta's Cloud API takes ~0.1-0.5 s):
   DISPATCH_CONCURRENCY=32 against 1, to show why sends are concurrent;
4. Meta's top tier (issue 17): DISPATCH_RATE_PER_SECOND=1000, --top messages, the Cloud API answering after
   --latency s from a process of its own (fakes/cloud_api_server.py): achieved messages/s (the run's, which
   includes the first claim and the last answer's latency, and the pace between the first and the last POST),
   the most POSTs the server saw in any one-second window, the most sends any recipient got (1: none doubled),
   and, in the same run, the fake's own ceiling (wrk, 1,000 connections, 5 s) and the load average: if the fake
   cannot serve well over 1,000/s, the run measures the fake. --top-rate 0: the same unpaced, the dispatcher's
   capacity at that latency (400 requests in flight: 2,000/s at most at 0.2 s).
In Redis it writes only the app's keys and deletes its monitoring:* keys afterwards.
"""
import argparse
import bisect
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from sqlalchemy import insert

from bench.common import truncate_all
from bench.webhooks import clean_redis, fresh_schema
from chatbot import create_app
from chatbot.config import database_url
from chatbot.extensions import db
from chatbot.messaging import dispatch
from chatbot.models import Contact, contact_categories
from chatbot.services import campaigns, categories
from fakes.cloud_api import API_VERSION, PHONE_NUMBER_ID, PROBE, TOKEN, CloudApi

WRK_SCRIPT = f"""wrk.method = "POST"
wrk.body = '{{"messaging_product":"whatsapp","to":"{PROBE}","type":"text","text":{{"body":"Hi"}}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {TOKEN}"
"""


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--limited", type=int, default=480)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--top", type=int, default=20000, help="messages of the 1,000/s run")
    parser.add_argument("--top-only", action="store_true", help="only the 1,000/s run")
    parser.add_argument("--top-rate", type=int, default=1000,
                        help="DISPATCH_RATE_PER_SECOND of that run (0: unpaced, the dispatcher's capacity)")
    return parser.parse_args()


def queue(app, count):
    """An empty database, then a launched campaign with `count` pending first messages."""
    with app.app_context():
        db.session.execute(truncate_all())
        db.session.commit()
        category = categories.create_category({"name": "Bench"})
        rows = [{"phone": f"+1415{3000000 + i:07d}", "name": f"Bench {i}"} for i in range(count)]
        ids = db.session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows).all()
        db.session.execute(insert(contact_categories), [{"contact_id": i, "category_id": category["id"]} for i in ids])
        db.session.commit()
        campaign = campaigns.create_campaign({"name": "Bench", "category_ids": [category["id"]],
                                              "first_message": {"text": "Hi"}, "second_message": {"text": "Thanks"}})
        campaigns.launch_campaign(campaign["id"])


def busiest_second(times):
    """The most POSTs that started within any one-second window."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def run(label, config, count, api):
    """Queue `count` messages, dispatch them all, print the rate."""
    app = create_app(config)
    queue(app, count)
    api.requests.clear()
    with app.app_context():
        started = time.perf_counter()
        result = dispatch.run_once()
        elapsed = time.perf_counter() - started
        db.engine.dispose()
    posted = [r["at"] for r in api.requests]
    span = (max(posted) - min(posted)) if len(posted) > 1 else 0.0
    print(f"{label}: {result['sent']} sent in {elapsed:.2f}s = {result['sent'] / elapsed:.1f} messages/s "
          f"(POSTs: {len(posted)}, {(len(posted) - 1) / span if span else 0:.1f}/s between first and last, "
          f"busiest 1-s window {busiest_second(posted)})")


def fake_stats(base_url):
    """The stand-alone fake's arrival times and the most sends any recipient got."""
    with urllib.request.urlopen(f"{base_url}/__stats", timeout=30) as response:
        return json.load(response)


def fake_ceiling(base_url, seconds=5, connections=1000):
    """Requests/s the stand-alone fake serves to wrk (its own ceiling), or None without wrk."""
    if not shutil.which("wrk"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name,
             f"{base_url}/{API_VERSION}/{PHONE_NUMBER_ID}/messages"],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return float(output.split("Requests/sec:")[1].split()[0])


def run_top(base, count, latency, rate=1000):
    """The 1,000/s case against the stand-alone fake: achieved rate, busiest second, doubles, fake's ceiling."""
    fake = subprocess.Popen([sys.executable, "-m", "fakes.cloud_api_server", "--latency", str(latency)],
                            stdout=subprocess.PIPE, text=True)
    try:
        base_url = fake.stdout.readline().strip()
        ceiling = fake_ceiling(base_url)
        config = {**base, "WHATSAPP_API_BASE": base_url, "DISPATCH_RATE_PER_SECOND": rate,
                  "DISPATCH_CONCURRENCY": 400, "DISPATCH_BATCH_SIZE": 1000}
        app = create_app(config)
        queue(app, count)
        before, load = len(fake_stats(base_url)["times"]), os.getloadavg()
        with app.app_context():
            started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            result = dispatch.run_once()
            elapsed, used = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
            db.engine.dispose()
        cpu_ms = (used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime) * 1000 / max(result["sent"], 1)
        stats = fake_stats(base_url)
        posted = stats["times"][before:]
        span = max(posted) - min(posted) if len(posted) > 1 else 0.0
        pace = f"{rate:,}/s" if rate else "unpaced"
        print(f"{pace}, server latency {latency}s, {count} messages: {result['sent']} sent in {elapsed:.2f}s = "
              f"{result['sent'] / elapsed:.1f} messages/s ({(len(posted) - 1) / span if span else 0:.1f}/s between "
              f"the first and the last POST); busiest 1-s window {busiest_second(posted)} POSTs; "
              f"most sends to one recipient {stats['most_sends']}; dispatcher CPU {cpu_ms:.2f} ms a message; "
              f"local Cloud API's own ceiling "
              f"{ceiling if ceiling is not None else 'n/a (no wrk)'} requests/s (wrk, 1,000 connections); "
              f"load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def main():
    """Unlimited, limited at 80/s, at 80/s with Meta-like latency; then 1,000/s at Meta's latency."""
    args = parse_args()
    url = database_url(args.database_url, "")
    fresh_schema(url)
    api = CloudApi().start()
    base = {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": args.redis_url, "SCHEDULER_ENABLED": False,
            "LOG_LEVEL": "WARNING", "DISPATCH_BATCH_SIZE": 200, "DISPATCH_CONCURRENCY": 32, **api.config()}
    try:
        if not args.top_only:
            run(f"rate limit off, {args.messages} messages", {**base, "DISPATCH_RATE_PER_SECOND": 0},
                args.messages, api)
            run(f"limited to 80/s, {args.limited} messages", {**base, "DISPATCH_RATE_PER_SECOND": 80},
                args.limited, api)
            api.latency = args.latency
            run(f"80/s, server latency {args.latency}s, concurrency 32", {**base, "DISPATCH_RATE_PER_SECOND": 80},
                args.limited, api)
            run(f"80/s, server latency {args.latency}s, concurrency 1",
                {**base, "DISPATCH_RATE_PER_SECOND": 80, "DISPATCH_CONCURRENCY": 1}, 40, api)
        run_top(base, args.top, args.latency, args.top_rate)
    finally:
        api.stop()
        clean_redis(args.redis_url)


if __name__ == "__main__":
    main()
