"""Webhooks acknowledged under load and applied once it eases: the intake table (`webhook_intake`).

Group commit applies each group before answering it, and applying (the ordered lock of the messages, the
set-based updates, the answers, the counters) costs more than the HTTP around it: at Meta's top tier, some 3,000
status notifications a second, the workers fell behind and the acknowledgements with them. Under a burst the
batcher therefore stores a large group as Meta sent it (its raw bodies: one INSERT), commits and answers:
durable before the 200, as before, and about a tenth of the work. The rows are applied afterwards, oldest first,
WEBHOOK_DRAIN_MAX at a time, by `ingest.apply` in one unit of work that also deletes them: the same statements
and so the same rules (a status never goes backwards, a duplicate changes nothing, an answer queues its second
message once), whatever the order or the group a notification ends up in, and the same events (dashboards,
cache, daily counters) once applied.

Who applies: the process's batcher, as soon as its load eases (or, under a load that does not ease, once its
oldest stored group has waited WEBHOOK_DEFER_SECONDS), and the scheduler's drain job, every few seconds, for
rows older than WEBHOOK_DEFER_SECONDS: their process died (younger ones are a living process's burst, which it
applies itself once the burst eases; draining them during the burst would take the CPU its answers need). Rows
are claimed FOR UPDATE SKIP LOCKED: two drains never apply the same row. A chunk that fails is applied again
row by row; a row that fails alone (a bug, not Meta's data: any JSON was acknowledged) is set aside with its
error for an operator instead of blocking the rows behind it (`flask webhooks aside` lists them, `flask webhooks
retry` puts them back in line once fixed).
SQLite: group commit, and so the intake, is PostgreSQL's; `drain` works on both.
"""
import json
import logging

from flask import current_app
from sqlalchemy import delete, func, insert, select, text, update

from chatbot import unit_of_work
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import ingest, webhooks
from chatbot.models import WebhookIntake
from chatbot.sql import dialect_name, read_once

log = logging.getLogger(__name__)
TABLE = WebhookIntake.__table__


# PostgreSQL: the group's rows as two array parameters, one statement whatever the group's size (an executemany
# sends a Bind/Execute per row even pipelined: 22 % of a worker under py-spy in a burst).
UNNEST = text("INSERT INTO webhook_intake (body, received_at) "
              "SELECT * FROM unnest(CAST(:bodies AS bytea[]), CAST(:ats AS timestamptz[]))")


def store(received):
    """Insert and commit [(raw body, received_at)]: durable once this returns.

    PostgreSQL: the one statement on an AUTOCOMMIT connection, its own transaction: two round trips (the pool's
    ping, the INSERT) where a session's unit of work takes four (ping, BEGIN, INSERT, COMMIT). Each round trip
    of the batcher waits its turn behind the worker's ready greenlets, so under a burst that is the answers'
    p99 (bench/webhooks_wrk.py). Nothing is applied yet, so there are no events to run after the commit.
    """
    if dialect_name() == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(UNNEST, {"bodies": [body for body, _ in received], "ats": [at for _, at in received]})
    else:
        unit_of_work.run(lambda uow: db.session.execute(
            insert(TABLE), [{"body": body, "received_at": at} for body, at in received]))


def _claim(limit, before=None):
    """The oldest `limit` rows not set aside (received before `before`, if given), locked (rows another drain
    holds are skipped)."""
    query = select(TABLE.c.id, TABLE.c.body, TABLE.c.received_at).where(TABLE.c.failed_at.is_(None))
    if before is not None:
        query = query.where(TABLE.c.received_at < before)
    return db.session.execute(query.order_by(TABLE.c.id).limit(limit).with_for_update(skip_locked=True)).all()


def _notification(row, phone_number_id):
    """The Notification of a stored row, parsed as its request would have been, at its arrival time."""
    return ingest.Notification(*webhooks.parse(json.loads(bytes(row.body)), row.received_at, phone_number_id))


def _apply(limit, uow, claimed=None, before=None):
    """Claim up to `limit` rows (their ids into `claimed`), apply them together, delete them; how many."""
    rows = _claim(limit, before)
    if claimed is not None:
        claimed[:] = [row.id for row in rows]
    if rows:
        phone_number_id = current_app.config.get("WHATSAPP_PHONE_NUMBER_ID")
        ingest.apply([_notification(row, phone_number_id) for row in rows], utcnow(), uow)
        db.session.execute(delete(TABLE).where(TABLE.c.id.in_([row.id for row in rows])))
    return len(rows)


def _set_aside(row_id, error):
    """Mark the row that just failed alone (by id: once rolled back, another drain may hold it, or have applied it:
    then nothing is marked, and never the next row in line)."""
    unit_of_work.run(lambda uow: db.session.execute(
        update(TABLE).where(TABLE.c.id == row_id, TABLE.c.failed_at.is_(None))
        .values(failed_at=utcnow(), error=f"{error.__class__.__name__}: {error}"[:1000])))


def _one_by_one(limit, events, before):
    """After a failed chunk: up to `limit` rows, each in its own unit of work; a row failing alone is set aside."""
    applied, claimed = 0, []
    for _ in range(limit):
        claimed.clear()
        try:
            taken = unit_of_work.run(lambda uow: _apply(1, uow, claimed, before), batch=events)
        except Exception as exc:
            if not claimed:  # not a row's fault (the database away?): the next drain tries again
                raise
            log.exception("stored webhook notification not applied: set aside")
            _set_aside(claimed[0], exc)
            continue
        if not taken:
            break
        applied += taken
    return applied


def drain(limit, before=None):
    """Apply up to `limit` stored notifications (received before `before`, if given), oldest first, in one unit of
    work; how many were applied."""
    events = unit_of_work.Batch()
    try:
        try:
            return unit_of_work.run(lambda uow: _apply(limit, uow, before=before), batch=events)
        except Exception as exc:
            log.warning("stored webhooks not applied together (%s): one by one", exc.__class__.__name__)
            return _one_by_one(limit, events, before)
    finally:  # what was applied announces itself, even if the one-by-one pass stopped (the database away)
        try:
            events.flush()
        except Exception:  # already logged per effect; the rows are applied all the same
            pass


def drain_all(limit, before=None):
    """Drain until no claimable row (received before `before`, if given) is left; how many were applied."""
    total = 0
    while (applied := drain(limit, before)) > 0:
        total += applied
    return total


def backlog():
    """(waiting, set aside): how many stored notifications are not applied yet."""
    [(waiting, aside)] = read_once(select(
        func.count().filter(TABLE.c.failed_at.is_(None)), func.count().filter(TABLE.c.failed_at.is_not(None)))
        .select_from(TABLE))
    return waiting, aside


def set_aside():
    """The rows set aside, oldest first: id, received_at, failed_at, error (not the body: it holds numbers)."""
    return db.session.execute(
        select(TABLE.c.id, TABLE.c.received_at, TABLE.c.failed_at, TABLE.c.error)
        .where(TABLE.c.failed_at.is_not(None)).order_by(TABLE.c.id)).all()


def retry(ids=None):
    """Put rows set aside (`ids`, or all) back in line for the next drain; how many."""
    statement = update(TABLE).where(TABLE.c.failed_at.is_not(None)).values(failed_at=None, error=None)
    if ids is not None:
        statement = statement.where(TABLE.c.id.in_(ids))
    return unit_of_work.run(lambda uow: db.session.execute(statement).rowcount)
