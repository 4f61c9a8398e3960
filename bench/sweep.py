"""Benchmark: the no-interaction sweep over 100,000 overdue first messages on PostgreSQL.

    python -m bench.sweep --database-url postgresql://postgres@127.0.0.1:5432/test_e \
        --redis-url redis://127.0.0.1:6379/5 [--messages 100000 --answered 10000 --campaigns 4]

It EMPTIES that database's app tables (use a throwaway database), builds the schema with the
migrations if needed (`flask db upgrade`), then inserts with INSERT ... SELECT generate_series:
`--messages` first messages sent 25-26 h ago to contacts who never answered (all overdue), plus
`--answered` more whose contacts answered an hour after (spared), across `--campaigns` running
campaigns. It sweeps three times on the same data (reset in between): once timed, with peak RSS
from getrusage; once under tracemalloc for the peak Python allocation of the sweep itself; once
with its per-contact log lines off, to show what logging costs. The sweep's one log line per
contact is formatted as in production (JSON, masking filter) and written to /dev/null.
Monitoring adds the marked counts to today's `monitoring:daily:*` hash of that Redis.
"""
import argparse
import logging
import os
import resource
import subprocess
import sys
import time
import tracemalloc

from sqlalchemy import text

from bench.common import ROOT, truncate_all
from chatbot import create_app
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import sweep

SEED = [
    # Every row shares one "now" (:now), so sent_at and occurred_at are exact offsets from it.
    """INSERT INTO contacts (phone, name, created_at, updated_at)
       SELECT '+1555' || lpad(i::text, 7, '0'), 'Bench contact ' || i, :now, :now
       FROM generate_series(1, :total) AS i""",
    """INSERT INTO campaigns (name, status, first_message, second_message, created_at, updated_at, launched_at)
       SELECT 'Bench campaign ' || k, 'running', '{"text": "Hello! Reply to learn more."}',
              '{"text": "Thanks for answering!"}', :now - interval '2 days', :now, :now - interval '2 days'
       FROM generate_series(1, :campaigns) AS k""",
    # Contact i gets campaign 1 + i % campaigns; statuses cycle sent, delivered, read; sent 25-26 h ago.
    """INSERT INTO messages (campaign_id, contact_id, step, status, body, wamid, attempts, created_at,
                             updated_at, sent_at, delivered_at, read_at)
       SELECT 1 + i % :campaigns, i, 1, (ARRAY['sent', 'delivered', 'read'])[1 + i % 3],
              '{"text": "Hello! Reply to learn more."}', 'wamid.bench.' || i, 1, :now - interval '2 days',
              :now - interval '25 hours',
              :now - interval '25 hours' - (i % 3600) * interval '1 second',
              CASE WHEN i % 3 > 0 THEN :now - interval '25 hours' END,
              CASE WHEN i % 3 = 2 THEN :now - interval '25 hours' END
       FROM generate_series(1, :total) AS i""",
    # The last `answered` contacts wrote back an hour after their message: the sweep spares them.
    """INSERT INTO interactions (contact_id, wamid, kind, body, occurred_at, created_at)
       SELECT i, 'wamid.bench.in.' || i, 'text', 'Yes', :now - interval '24 hours', :now
       FROM generate_series(:messages + 1, :total) AS i""",
]
RESET = [
    "UPDATE messages SET status = (ARRAY['sent', 'delivered', 'read'])[1 + contact_id % 3] "
    "WHERE status = 'no_interaction'",
    "UPDATE campaigns SET status = 'running', completed_at = NULL",
]


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--messages", type=int, default=100_000, help="overdue first messages (all marked)")
    parser.add_argument("--answered", type=int, default=10_000, help="first messages whose contact answered")
    parser.add_argument("--campaigns", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=None, help="SWEEP_BATCH_SIZE (default: the app's)")
    return parser.parse_args()


def migrate(args):
    """Build the schema the way the release phase does (its own process: Alembic reconfigures logging)."""
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
           "SCHEDULER_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)


def seed(db, args, now):
    """Empty the tables, insert the data set-based, analyze; seconds taken."""
    started = time.perf_counter()
    params = {"now": now, "total": args.messages + args.answered, "messages": args.messages,
              "campaigns": args.campaigns}
    db.session.execute(truncate_all())
    for statement in SEED:
        db.session.execute(text(statement), params)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE messages, interactions, campaigns"))
    return time.perf_counter() - started


def reset(db):
    """Put the swept rows back as they were, for the second run."""
    for statement in RESET:
        db.session.execute(text(statement))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE messages, campaigns"))


def check(db, summary, args):
    """The sweep did what it should: every overdue message marked once, every campaign completed."""
    counts = db.session.execute(text(
        "SELECT sum(no_interaction_count), count(*) FILTER (WHERE status = 'completed') FROM campaigns")).one()
    assert summary["marked"] == args.messages == counts[0], (summary, counts)
    assert summary["completed"] == args.campaigns == counts[1], (summary, counts)


def maxrss_mib():
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    """Seed, sweep (timed), reset, sweep (traced), reset, sweep (no log lines); print the figures."""
    args = parse_args()
    os.environ.setdefault("LOG_FORMAT", "json")
    migrate(args)
    config = {"SQLALCHEMY_DATABASE_URI": args.database_url, "REDIS_URL": args.redis_url,
              "SCHEDULER_ENABLED": False, "LOG_LEVEL": "INFO"}
    if args.batch_size:
        config["SWEEP_BATCH_SIZE"] = args.batch_size
    app = create_app(config)
    for handler in logging.getLogger().handlers:
        handler.setStream(open(os.devnull, "w"))  # formatted as in production, written nowhere
    with app.app_context():
        seeded = seed(db, args, utcnow())
        print(f"seeded {args.messages:,} overdue + {args.answered:,} answered first messages "
              f"in {args.campaigns} campaigns in {seeded:.1f} s; batch size {app.config['SWEEP_BATCH_SIZE']}")
        rss_before = maxrss_mib()
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = sweep.run()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        check(db, summary, args)
        # CPU time of this process alongside the wall time: on a shared machine the wall time also
        # counts waiting for a core (`os.getloadavg` tells how busy it was).
        print(f"sweep: marked {summary['marked']:,}, completed {summary['completed']} in {elapsed:.2f} s "
              f"({summary['marked'] / elapsed:,.0f} messages/s; Python CPU {cpu:.2f} s; "
              f"load average {os.getloadavg()[0]:.1f}); peak RSS {maxrss_mib():.0f} MiB "
              f"(was {rss_before:.0f} MiB before the sweep)")
        reset(db)
        db.session.remove()
        tracemalloc.start()
        started = time.perf_counter()
        summary = sweep.run()
        traced = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        check(db, summary, args)
        print(f"sweep under tracemalloc: {traced:.2f} s; peak Python allocation {peak / 2**20:.1f} MiB")
        reset(db)
        db.session.remove()
        logging.getLogger("chatbot.messaging.sweep").setLevel(logging.WARNING)
        started = time.perf_counter()
        check(db, sweep.run(), args)
        print(f"sweep without its log lines: {time.perf_counter() - started:.2f} s (the rest is logging)")


if __name__ == "__main__":
    main()
