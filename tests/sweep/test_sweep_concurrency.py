"""Two sweeps at once (no lock) give the same result as one: each message marked once, counters exact."""
import datetime as dt
import threading

import pytest

from chatbot.messaging import sweep
from tests import factories
from tests.sweep import data

CONTACTS = 40


def build_campaigns(clock):
    """Three campaigns to the same 40 contacts; 10 contacts answer, 5 fail in the first, 5 get the third late."""
    category_id = factories.category()["id"]
    contact_ids = [factories.contact([category_id])["id"] for _ in range(CONTACTS)]
    first, second, third = (data.launched(category_ids=[category_id])[0] for _ in range(3))
    sent_at = clock.now()
    for campaign_id in (first, second, third):
        data.send(campaign_id, sent_at, "delivered")
    data.send(first, sent_at, "failed", contact_ids[10:15])
    data.send(third, sent_at + dt.timedelta(hours=20), contact_ids=contact_ids[15:20])
    for contact_id in contact_ids[:10]:
        data.answer(contact_id, sent_at + dt.timedelta(hours=1))
    return (first, second, third), contact_ids


def sweep_in_thread(app, barrier, results, errors):
    """One sweep in its own app context (own session and connection), started with the other."""
    try:
        with app.app_context():
            barrier.wait(timeout=10)
            results.append(sweep.run())
    except Exception as exc:  # reported by the test
        errors.append(exc)


@pytest.fixture
def both_mark_first(monkeypatch):
    """Each sweep, once its first batch is committed, waits until the other's first batch is committed too.

    So both sweeps really mark messages, whichever thread the scheduler runs first: without this, one
    sweep could finish everything before the other started.
    """
    meeting, arrived, lock = threading.Barrier(2), set(), threading.Lock()
    mark_batch = sweep._mark_batch

    def marking(*args, **kwargs):
        """The real batch; then, for each of the first two sweeping threads, the meeting."""
        rows = mark_batch(*args, **kwargs)
        with lock:
            first = len(arrived) < 2 and threading.get_ident() not in arrived
            arrived.add(threading.get_ident())
        if first:
            meeting.wait(timeout=20)  # broken (BrokenBarrierError) if the other sweep marked nothing
        return rows

    monkeypatch.setattr(sweep, "_mark_batch", marking)


@pytest.mark.postgresql_only
def test_two_sweeps_at_once_give_the_result_of_one(app, clock, redis_client, both_mark_first):
    (first, second, third), contact_ids = build_campaigns(clock)
    clock.advance(hours=25)
    app.config["SWEEP_BATCH_SIZE"] = 3  # many small batches, so the two sweeps interleave
    barrier, results, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=sweep_in_thread, args=(app, barrier, results, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a sweep did not finish"
    assert errors == [] and len(results) == 2
    assert all(r["marked"] > 0 for r in results), results  # both really swept
    assert sum(r["marked"] for r in results) == 25 + 30 + 25
    assert sum(r["completed"] for r in results) == 2
    answered, failed, late = set(contact_ids[:10]), set(contact_ids[10:15]), set(contact_ids[15:20])
    expected = {c: "delivered" if c in answered else "no_interaction" for c in contact_ids}
    assert data.statuses(second) == expected
    assert data.statuses(first) == {**expected, **dict.fromkeys(failed, "failed")}
    assert data.statuses(third) == {**expected, **dict.fromkeys(late, "sent")}
    rows = {cid: data.campaign(cid) for cid in (first, second, third)}
    assert [(r.status, r.no_interaction_count, r.failed_count) for r in rows.values()] == [
        ("completed", 25, 30), ("completed", 30, 30), ("running", 25, 25)]
    day = f"monitoring:daily:{clock.now().date().isoformat()}"
    assert redis_client.hget(day, "no_interaction") == b"80"
    # And a third sweep, as after a lost lock, changes nothing.
    state = data.snapshot()
    assert sweep.run()["marked"] == 0
    assert data.snapshot() == state
