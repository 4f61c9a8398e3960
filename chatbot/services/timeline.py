"""A campaign's timeline: its first messages' sends, deliveries, reads, answers and failures per hour or day."""
from sqlalchemy import case, func, literal, literal_column, select, true, type_coerce, union_all

from chatbot.extensions import db
from chatbot.models import Campaign, Message
from chatbot.models.base import UTCDateTime
from chatbot.schemas.campaign import timeline_out
from chatbot.services.common import get_or_404
from chatbot.sql import dialect_name

# What each column of the answer counts: the first messages whose timestamp falls in the bucket.
MOMENTS = (("sent", Message.sent_at), ("delivered", Message.delivered_at), ("read", Message.read_at),
           ("interactions", Message.interacted_at), ("failed", Message.failed_at))
# Written into the SQL (the query string is validated against these): a bound value in the SELECT and the
# GROUP BY would be two parameters to PostgreSQL, which then cannot tell that they are the same expression.
SQLITE_FORMATS = {"hour": "'%Y-%m-%d %H:00:00'", "day": "'%Y-%m-%d 00:00:00'"}


def _start_of(bucket, moment):
    """The start of the hour or day (UTC) of `moment`, as the database computes it."""
    if dialect_name() == "postgresql":
        # In UTC, not the session's time zone: a day starts at midnight UTC.
        start = func.date_trunc(literal_column(f"'{bucket}'"), func.timezone(literal_column("'UTC'"), moment))
    else:
        start = func.strftime(literal_column(SQLITE_FORMATS[bucket]), moment)
    return type_coerce(start, UTCDateTime)


def _statement(campaign_id, bucket):
    """One statement over the campaign's first messages.

    Each message is joined with the five moments (a five-row constant table) and each (message, moment) pair
    counted in its moment's bucket. PostgreSQL puts the constant table outside and reads the messages once per
    moment, then sorts the pairs: 2.6 s at a million messages (BENCHMARKS.md); unpivoting with a LATERAL
    unnest() reads them once but costs as much (a function scan per row). Counts kept per hour would not grow.
    """
    kinds = union_all(*(select(literal(index).label("kind")) for index in range(len(MOMENTS)))).subquery("kinds")
    moment = case(*((kinds.c.kind == index, column) for index, (_, column) in enumerate(MOMENTS)))
    at = _start_of(bucket, moment).label("at")
    counts = [func.count(case((kinds.c.kind == index, 1))).label(name) for index, (name, _) in enumerate(MOMENTS)]
    return (select(at, *counts).select_from(Message).join(kinds, true())
            .where(Message.campaign_id == campaign_id, Message.step == 1, moment.is_not(None))
            .group_by(at).order_by(at))


def timeline(campaign_id, bucket):
    """{"items": [{"at", "sent", ...}]} oldest first, empty buckets left out; 404 for an unknown campaign."""
    rows = db.session.execute(_statement(campaign_id, bucket)).mappings().all()
    if not rows:
        get_or_404(Campaign, campaign_id, "campaign")  # a second statement only when there is nothing to show
    return timeline_out.dump({"items": rows})
