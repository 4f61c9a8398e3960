"""Read-your-writes bookkeeping shared by the cross-process cache test and its benchmark.

A load records each write as (answered_at, category_id) and each read as (started_at, path, body, x_cache,
process); a read is stale when it shows less than every write answered before it started.
"""
import bisect
import collections


def observed(path, body):
    """{"total" or category id: count} that a read shows."""
    if path == "/api/messages/stats":
        return {"total": body["contacts"]["total"]}
    if path == "/api/categories":
        return {item["id"]: item["contact_count"] for item in body["items"]}
    return {body["id"]: body["contact_count"]}


def stale_reads(load):
    """Reads that miss a write which had answered before the read started."""
    finished = sorted(load.writes)
    times = [t for t, _ in finished]
    stale = []
    for started, path, body, x_cache, process in load.reads:
        done = finished[:bisect.bisect_left(times, started)]
        expected = collections.Counter(category for _, category in done)
        expected["total"] = len(done)
        for what, count in observed(path, body).items():
            if count < expected[what]:
                stale.append((path, process, x_cache, what, count, expected[what]))
    return stale
