"""The daily monitoring counters of what the seed wrote: one GROUP BY day statement over its rows.

Each counter is dated as the application would have counted it: a message `sent`, `delivered` (or read
without a delivery report), `read` and `failed` on the day of that time; `no_interaction` on the day the
hourly sweep marked it (its updated_at); an interaction on the day it was recorded.
"""
import datetime as dt

from sqlalchemy import func, literal, select, union_all

from chatbot.extensions import db

from chatbot.models import Interaction, Message
from chatbot.models.base import UTCDateTime
from chatbot.sql import dialect_name

DAYS = 90  # what the monitoring hashes keep


def _day(column):
    """The UTC date of a time column (PostgreSQL: whatever the session's time zone)."""
    if dialect_name() == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite keeps naive UTC text


def _count(field, model, column, ids, since, *conditions):
    day = _day(column)
    return (select(day.label("day"), literal(field).label("field"), func.count().label("n"))
            .where(model.id.between(*ids), column >= literal(since, UTCDateTime), *conditions).group_by(day))


def daily_counts(message_ids, interaction_ids, today):
    """{date: {field: n}} over the last DAYS days, for messages and interactions with ids in these ranges."""
    since = dt.datetime.combine(today - dt.timedelta(days=DAYS - 1), dt.time(), dt.timezone.utc)
    parts = [
        _count("sent", Message, Message.sent_at, message_ids, since),
        _count("delivered", Message, func.coalesce(Message.delivered_at, Message.read_at), message_ids, since),
        _count("read", Message, Message.read_at, message_ids, since),
        _count("failed", Message, Message.failed_at, message_ids, since, Message.status == "failed"),
        _count("no_interaction", Message, Message.updated_at, message_ids, since,
               Message.status == "no_interaction"),
        _count("interactions", Interaction, Interaction.created_at, interaction_ids, since),
    ]
    counts = {}
    for day, field, n in db.session.execute(union_all(*parts)):
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        counts.setdefault(day, {})[field] = n
    return counts
