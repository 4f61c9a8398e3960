"""Benchmark: the campaign audience at 100,000 contacts and a campaign's timeline at 1,000,000 messages (PostgreSQL).

    python -m bench.campaign_ops --database-url postgresql://postgres@127.0.0.1:5432/test_h1 \
        [--redis-url redis://127.0.0.1:6379/1] [--contacts 100000 --categories 50 --timeline-messages 1000000]
        [--repeat 7]

It REBUILDS the schema of that database (its name must contain "bench" or "test"), seeds it with the demo seeder
(`--contacts` contacts in `--categories` categories, 1,000,000 messages; one contact in 50 then opted out), and
times the audience (`GET /api/campaigns/audience`'s service: one statement) for every category and for five of
them, against the naive way (each category's contact rows loaded, distinct contacts counted in Python). Then it
adds one running campaign of `--timeline-messages` first messages to as many new contacts (INSERT ... SELECT
generate_series; sends over 70 hours, deliveries, reads, answers, failures) and times its timeline (one statement,
by hour and by day) against loading its rows and bucketing them in Python. Each figure is the median of
`--repeat` runs after one warm-up; the load average is read before and after each. Prints a Markdown section.
"""
import argparse
import collections
import os
import statistics
import time

from sqlalchemy import make_url, text

from chatbot import create_app
from chatbot.extensions import db
from chatbot.seed import seed_demo
from chatbot.services import campaigns, timeline

TIMELINE_SEED = [
    """INSERT INTO contacts (phone, name, created_at, updated_at)
       SELECT '+1999' || lpad(i::text, 7, '0'), 'Timeline contact ' || i, :now, :now
       FROM generate_series(1, :n) AS i""",
    """INSERT INTO campaigns (name, status, first_message, second_message, created_at, updated_at, launched_at)
       VALUES ('Timeline bench', 'running', '{"text": "Hi"}', '{"text": "Thanks"}', :now, :now, :now)""",
    # One send every 0.25 s (70 h for a million); 1 in 50 fails, 9 in 10 of the rest delivered 5 s later, half
    # read a minute later, 1 in 10 answered an hour later.
    """INSERT INTO messages (campaign_id, contact_id, step, status, body, attempts, created_at, updated_at,
                             sent_at, delivered_at, read_at, interacted_at, failed_at)
       SELECT (SELECT max(id) FROM campaigns), c.id, 1, CASE WHEN c.n % 50 = 0 THEN 'failed' ELSE 'read' END,
              '{"text": "Hi"}', 1, :now, :now,
              CASE WHEN c.n % 50 <> 0 THEN :now + c.n * interval '250 milliseconds' END,
              CASE WHEN c.n % 50 <> 0 AND c.n % 10 <> 0 THEN :now + c.n * interval '250 milliseconds'
                   + interval '5 seconds' END,
              CASE WHEN c.n % 50 <> 0 AND c.n % 2 = 0 THEN :now + c.n * interval '250 milliseconds'
                   + interval '1 minute' END,
              CASE WHEN c.n % 50 <> 0 AND c.n % 10 = 3 THEN :now + c.n * interval '250 milliseconds'
                   + interval '1 hour' END,
              CASE WHEN c.n % 50 = 0 THEN :now + c.n * interval '250 milliseconds' END
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM contacts WHERE phone LIKE '+1999%') AS c""",
]
NAIVE_AUDIENCE = """SELECT cc.contact_id, c.opted_out_at IS NOT NULL FROM contact_categories cc
                    JOIN contacts c ON c.id = cc.contact_id WHERE cc.category_id = ANY(:ids)"""
NAIVE_TIMELINE = """SELECT sent_at, delivered_at, read_at, interacted_at, failed_at FROM messages
                    WHERE campaign_id = :id AND step = 1"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000, help="the demo seed's messages")
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--timeline-messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    return parser.parse_args()


def rebuild(url):
    """Empty schema, then the migrations."""
    from flask_migrate import upgrade
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()


def analyze():
    """VACUUM ANALYZE (outside a transaction), as autovacuum would have by then."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(function, repeat):
    """(median ms of `repeat` runs after a warm-up, load average before, after, the last result)."""
    function()
    before, samples = os.getloadavg()[0], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return round(statistics.median(samples), 2), before, os.getloadavg()[0], result


def naive_audience(ids):
    """Every (contact, opted out) row of the categories, the distinct ones counted in Python."""
    rows = db.session.execute(text(NAIVE_AUDIENCE), {"ids": ids}).all()
    reachable = {contact for contact, out in rows if not out}
    return {"contacts": len(reachable), "opted_out": len({contact for contact, out in rows if out})}


def naive_timeline(campaign_id, bucket):
    """Every first message's five moments loaded, bucketed in Python."""
    unit = {"hour": {"minute": 0, "second": 0, "microsecond": 0},
            "day": {"hour": 0, "minute": 0, "second": 0, "microsecond": 0}}[bucket]
    counts = collections.defaultdict(collections.Counter)
    names = ("sent", "delivered", "read", "interactions", "failed")
    for row in db.session.execute(text(NAIVE_TIMELINE), {"id": campaign_id}):
        for name, moment in zip(names, row):
            if moment is not None:
                counts[moment.replace(**unit)][name] += 1
    return [{"at": at, **{name: counts[at][name] for name in names}} for at in sorted(counts)]


def compare(label, ours, naive, repeat, check):
    """One Markdown row: ours against the naive way on the same data (results checked equal)."""
    ours_ms, load_before, _, ours_result = timed(ours, repeat)
    naive_ms, _, load_after, naive_result = timed(naive, repeat)
    assert check(ours_result, naive_result), (label, ours_result, naive_result)
    return (f"| {label} | {ours_ms} | {naive_ms} | {naive_ms / ours_ms:.1f}x | "
            f"{load_before:.2f} / {load_after:.2f} |")


def audience_rows(args):
    """The audience for every category and for five, against the naive way."""
    every = [row[0] for row in db.session.execute(text("SELECT id FROM categories ORDER BY id"))]
    rows = []
    for label, ids in ((f"audience, all {len(every)} categories", every), ("audience, 5 categories", every[:5])):
        rows.append(compare(label, lambda ids=ids: campaigns.audience(ids), lambda ids=ids: naive_audience(ids),
                            args.repeat, lambda ours, naive: ours == naive))
    return rows


def same_buckets(ours, naive):
    """The statement's answer equals the Python bucketing's."""
    return [item["at"] for item in ours["items"]] == [row["at"].isoformat().replace("+00:00", "Z") for row in naive] \
        and [item["sent"] for item in ours["items"]] == [row["sent"] for row in naive]


def timeline_rows(args):
    """A campaign of --timeline-messages first messages, its timeline by hour and day against the naive way."""
    now = db.session.scalar(text("SELECT now()"))
    for statement in TIMELINE_SEED:
        db.session.execute(text(statement), {"now": now, "n": args.timeline_messages})
    db.session.commit()
    analyze()
    campaign_id = db.session.scalar(text("SELECT max(id) FROM campaigns"))
    return [compare(f"timeline by {bucket}, {args.timeline_messages:,} messages",
                    lambda bucket=bucket: timeline.timeline(campaign_id, bucket),
                    lambda bucket=bucket: naive_timeline(campaign_id, bucket), args.repeat, same_buckets)
            for bucket in ("hour", "day")]


def main():
    args = parse_args()
    name = make_url(args.database_url).database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to rebuild {name!r}: its name must contain 'bench' or 'test'")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "REDIS_URL": args.redis_url,
                      "SCHEDULER_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        started = time.perf_counter()
        rebuild(args.database_url)
        seed_demo(args.contacts, args.messages, args.categories, seed=1)
        db.session.execute(text("UPDATE contacts SET opted_out_at = now() WHERE id % 50 = 0"))
        db.session.commit()
        analyze()
        seeded = time.perf_counter() - started
        rows = audience_rows(args)
        rows += timeline_rows(args)
    print(f"Data: {args.contacts:,} contacts in {args.categories} categories (1 in 50 opted out), "
          f"{args.messages:,} seeded messages (seeded in {seeded:.0f} s); the timeline's campaign: "
          f"{args.timeline_messages:,} first messages. Median of {args.repeat} runs after a warm-up.\n")
    print("| what | one statement (ms) | naive (ms) | ratio | load average before / after |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
