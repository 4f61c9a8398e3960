"""Benchmark: two dynos, one campaign at 1,000 messages/s (issue 17, point 4), on PostgreSQL.

    python -m bench.rehearsal_dispatch --database-url postgresql://postgres@127.0.0.1:5432/bench_rehearsal \
                                       --redis-url redis://127.0.0.1:6379/13 [--contacts 20000] [--rate 500]

The database is EMPTIED and migrated afresh (use a throwaway one). The Procfile's `web` runs twice (gunicorn,
one worker each, the scheduler on, DISPATCH_PROCESSES=2 at --rate messages/s each) against the stand-alone
local Cloud API (fakes/cloud_api_server.py, answering after --latency s), while signed status webhooks (sent,
delivered, read for every wamid handed out) are posted at full speed to both (fakes/two_dynos.py). Printed:
the achieved rate (POSTs between the first and the last; and from the launch's answer to the last POST), the
busiest second at the Cloud API, recipients sent twice (must be 0), the statuses applied, webhooks answered
non-2xx (must be 0), `flask stats verify`, the Cloud API's own ceiling in the same run (wrk) and the load average.
In Redis it writes only the app's keys and deletes its monitoring:* keys afterwards.
"""
import argparse
import os
import time

from bench.dispatch import busiest_second, fake_ceiling
from bench.webhooks import clean_redis, fresh_schema
from chatbot.config import database_url
from fakes.two_dynos import StandaloneCloud, rehearse


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=500, help="DISPATCH_RATE_PER_SECOND of each dyno")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--posters", type=int, default=8, help="threads posting the status webhooks")
    return parser.parse_args()


def ceiling(latency):
    """The stand-alone Cloud API's own ceiling (wrk, 1,000 connections), in a process of its own."""
    cloud = StandaloneCloud(latency)
    try:
        return fake_ceiling(cloud.url)
    finally:
        cloud.stop()


def main():
    """Migrate afresh, measure the fake's ceiling, rehearse, print."""
    args = parse_args()
    url = database_url(args.database_url, "")
    fresh_schema(url)
    own = ceiling(args.latency)
    load, started = os.getloadavg(), time.monotonic()
    try:
        report = rehearse(args.database_url, args.redis_url, args.contacts, args.rate, args.latency, args.posters,
                          timeout=max(300, args.contacts // 20))
    finally:
        clean_redis(args.redis_url)
    posts = sorted(report.posts)
    span = posts[-1] - posts[0] if len(posts) > 1 else 0.0
    print(f"two dynos x {args.rate}/s, {args.contacts} messages, Cloud API latency {args.latency}s: "
          f"{(len(posts) - 1) / span if span else 0:.1f} messages/s between the first and the last POST, "
          f"{len(posts) / (posts[-1] - report.launched_at):.1f}/s from the launch's answer; "
          f"busiest 1-s window {busiest_second(posts)} POSTs; recipients sent twice {report.doubled}; "
          f"sent by each dyno {report.dispatched}")
    webhooks = sum(report.webhooks.values())
    print(f"webhooks: {report.webhooks} in {report.posted_at - report.launched_at:.1f}s from the launch "
          f"({webhooks / (report.posted_at - report.launched_at):.0f}/s; the last status applied "
          f"{report.applied_at - report.launched_at:.1f}s after the launch; dynos booted in {report.booted_in:.1f}s) "
          f"(non-2xx {len(report.failures)}, unanswered {len(report.errors)}); "
          f"statuses {report.statuses}; counters {report.counters}, recount {report.recount}; "
          f"flask stats verify: exit {report.verify[0]} ({report.verify[1].strip()[-200:]})")
    print(f"local Cloud API's own ceiling {own if own is not None else 'n/a (no wrk)'} requests/s (wrk, 1,000 "
          f"connections); whole rehearsal {time.monotonic() - started:.0f}s; load average {load[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
