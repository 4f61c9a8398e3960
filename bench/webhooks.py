"""Benchmark: WhatsApp webhook throughput on PostgreSQL (notifications/s, statuses per notification).

    python -m bench.webhooks --database-url postgresql://postgres@127.0.0.1:5432/test_d \
                             --redis-url redis://127.0.0.1:6379/4 [--notifications 1000] [--statuses 10]
                             [--answers 0] [--gunicorn] [--threads 8]

The database is EMPTIED and migrated afresh (use a throwaway one). It creates one running campaign whose
first messages are sent (dry-run wamids), then POSTs signed notifications shaped as Meta sends them, each
with --statuses statuses (`delivered`, later `read`, for distinct messages) and --answers text answers:
through the Flask test client in this process, and with --gunicorn also over HTTP to a real gunicorn
(1 worker, --threads threads; fakes.servers.AppServer) from --threads client threads. In Redis it writes
only the app's keys (monitoring:daily:*, cache:*) and deletes its monitoring:* keys afterwards.
"""
import argparse
import json
import statistics
import threading
import time

import redis
from sqlalchemy import String, cast, create_engine, insert, literal, select, text, update

from chatbot import create_app
from chatbot.clock import utcnow
from chatbot.config import database_url
from chatbot.extensions import db
from chatbot.models import Contact, Message, contact_categories
from chatbot.services import campaigns, categories
from fakes import meta

SECRET = "bench-app-secret"


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--statuses", type=int, default=10)
    parser.add_argument("--answers", type=int, default=0)
    parser.add_argument("--gunicorn", action="store_true")
    parser.add_argument("--threads", type=int, default=8)
    return parser.parse_args()


def fresh_schema(url):
    """Drop and rebuild the schema with the migrations."""
    from flask_migrate import upgrade
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def seed(app, count):
    """A running campaign to `count` contacts, its first messages sent; returns (wamids, phones)."""
    started = time.perf_counter()
    with app.app_context():
        category = categories.create_category({"name": "Bench"})
        rows = [{"phone": f"+1415{3000000 + i:07d}", "name": f"Bench {i}"} for i in range(count)]
        ids = db.session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows).all()
        db.session.execute(insert(contact_categories), [{"contact_id": i, "category_id": category["id"]} for i in ids])
        db.session.commit()
        campaign = campaigns.create_campaign({"name": "Bench", "category_ids": [category["id"]],
                                              "first_message": {"text": "Hi"}, "second_message": {"text": "Thanks"}})
        campaigns.launch_campaign(campaign["id"])
        # Sent, as dispatch would leave them (set-based: dispatching thousands is not what is measured here).
        db.session.execute(update(Message).values(status="sent", sent_at=utcnow(),
                                                  wamid=literal("wamid.bench.") + cast(Message.id, String)))
        db.session.commit()
        wamids = db.session.scalars(select(Message.wamid).order_by(Message.id)).all()
        print(f"seed: {count} contacts, a running campaign, {len(wamids)} sent messages "
              f"in {time.perf_counter() - started:.1f}s")
        return wamids, [r["phone"] for r in rows]


def payloads(wamids, phones, args):
    """Raw signed bodies: each message gets `delivered` then, in a later notification, `read`."""
    now = time.time()
    per_pass = max(1, len(wamids) // args.statuses)
    bodies = []
    for n in range(args.notifications):
        status = "delivered" if (n // per_pass) % 2 == 0 else "read"
        start = (n % per_pass) * args.statuses
        items = [meta.status(w, status, _at(now)) for w in wamids[start:start + args.statuses]]
        answers = [meta.text(f"wamid.bench.{n}.{k}", phones[(n * 7 + k) % len(phones)], _at(now))
                   for k in range(args.answers)]
        raw = json.dumps(meta.notification(statuses=items, messages=answers)).encode()
        bodies.append((raw, meta.sign(raw, SECRET)))
    return bodies


def _at(seconds):
    """Unix seconds as an aware UTC datetime."""
    import datetime as dt
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def report(label, latencies, elapsed, args):
    """One result line."""
    n = len(latencies)
    latencies = sorted(latencies)
    print(f"{label}: {n} notifications x {args.statuses} statuses + {args.answers} answers in {elapsed:.2f}s = "
          f"{n / elapsed:.0f} notifications/s, {n * args.statuses / elapsed:.0f} statuses/s; "
          f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(n * 0.95) - 1] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


def run_test_client(app, bodies, args):
    """POST every body through the Flask test client, one after the other."""
    client = app.test_client()
    latencies = []
    started = time.perf_counter()
    for raw, signature in bodies:
        t = time.perf_counter()
        response = client.post(meta.URL, data=raw, content_type="application/json",
                               headers={"X-Hub-Signature-256": signature})
        latencies.append(time.perf_counter() - t)
        assert response.status_code == 200, response.get_data(as_text=True)
    report("test client (in process)", latencies, time.perf_counter() - started, args)


def run_gunicorn(args, url, bodies):
    """POST every body over HTTP to gunicorn from several client threads."""
    import requests
    from fakes.servers import AppServer
    env = {"DATABASE_URL": url, "REDIS_URL": args.redis_url, "WHATSAPP_APP_SECRET": SECRET}
    with AppServer(env, threads=args.threads) as server:
        latencies, lock = [], threading.Lock()

        def worker(chunk):
            """One client thread: POST its share of the bodies over a kept-alive session."""
            session = requests.Session()
            for raw, signature in chunk:
                t = time.perf_counter()
                response = session.post(server.url + meta.URL, data=raw, timeout=30, headers={
                    "Content-Type": "application/json", "X-Hub-Signature-256": signature})
                with lock:
                    latencies.append(time.perf_counter() - t)
                assert response.status_code == 200, response.text

        threads = [threading.Thread(target=worker, args=(bodies[i::args.threads],)) for i in range(args.threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report(f"gunicorn (1 worker x {args.threads} threads, {args.threads} clients)", latencies,
               time.perf_counter() - started, args)


def clean_redis(redis_url):
    """Delete the monitoring counters this run wrote (SCAN, never KEYS)."""
    client = redis.Redis.from_url(redis_url)
    names = list(client.scan_iter(match="monitoring:*", count=1000))
    if names:
        client.unlink(*names)
    client.close()


def main():
    """Seed, then measure."""
    args = parse_args()
    url = database_url(args.database_url, "")
    # Each message gets `delivered` once and `read` once: every status is a real transition.
    messages = max(1, -(-args.notifications * args.statuses // 2))
    config = {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": args.redis_url, "SCHEDULER_ENABLED": False,
              "LOG_LEVEL": "WARNING", "WHATSAPP_APP_SECRET": SECRET, "DISPATCH_RATE_PER_SECOND": 0}
    fresh_schema(url)
    app = create_app(config)
    wamids, phones = seed(app, messages)
    bodies = payloads(wamids, phones, args)
    try:
        run_test_client(app, bodies, args)
        if args.gunicorn:
            fresh_schema(url)
            wamids, phones = seed(create_app(config), messages)
            run_gunicorn(args, args.database_url, payloads(wamids, phones, args))
    finally:
        clean_redis(args.redis_url)


if __name__ == "__main__":
    main()
