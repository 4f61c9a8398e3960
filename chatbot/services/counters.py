"""Campaign counters, recomputed from the messages (idempotent: reruns cannot double count)."""
from sqlalchemy import case, func, select, update

from chatbot.extensions import db
from chatbot.models import COUNTER_COLUMNS, Campaign, Message


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def counter_expressions():
    """Each counter as an aggregate over a campaign's first messages (see the contract's campaign shape)."""
    return {
        "total_count": func.count(Message.id),
        "sent_count": _flag(Message.sent_at.is_not(None)),
        "delivered_count": _flag(Message.delivered_at.is_not(None) | Message.read_at.is_not(None)),
        "read_count": _flag(Message.read_at.is_not(None)),
        "interaction_count": _flag(Message.interacted_at.is_not(None)),
        "no_interaction_count": _flag(Message.status == "no_interaction"),
        "failed_count": _flag(Message.status.in_(("failed", "no_interaction"))),
    }


def compute(campaign_ids):
    """{campaign_id: {counter: value}} from the messages, one statement; zeros for campaigns without any."""
    campaign_ids = list(set(campaign_ids))
    result = {cid: dict.fromkeys(COUNTER_COLUMNS, 0) for cid in campaign_ids}
    if not campaign_ids:
        return result
    exprs = counter_expressions()
    rows = db.session.execute(
        select(Message.campaign_id, *[e.label(name) for name, e in exprs.items()])
        .where(Message.campaign_id.in_(campaign_ids), Message.step == 1)
        .group_by(Message.campaign_id)).mappings()
    for row in rows:
        result[row["campaign_id"]] = {name: int(row[name] or 0) for name in COUNTER_COLUMNS}
    return result


def recompute(campaign_ids):
    """Write the recomputed counters of these campaigns (no commit: the caller's transaction)."""
    values = compute(campaign_ids)
    if values:
        db.session.execute(update(Campaign), [{"id": cid, **counts} for cid, counts in values.items()])
    return values
