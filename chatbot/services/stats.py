"""Global statistics: one SQL statement, served through the cache."""
from sqlalchemy import func, select, true

from chatbot.cache import get_cache, keys
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import CAMPAIGN_STATUSES, MESSAGE_STATUSES, Campaign, Contact, Interaction, Message
from chatbot.schemas.stats import stats_out


def _statement():
    """Contacts, messages by status, campaigns by status and interactions in one SELECT.

    Each table is read once. Messages are grouped by status first (on PostgreSQL an index-only scan of the
    small ix_messages_status, once VACUUM has set the visibility map), then the six groups are pivoted with
    FILTER: filtering the million rows themselves would test seven conditions on every row.
    """
    per_status = select(Message.status, func.count().label("n")).group_by(Message.status).subquery("per_status")
    messages = [func.sum(per_status.c.n).label("messages_total")] + [
        func.sum(per_status.c.n).filter(per_status.c.status == s).label(f"messages_{s}") for s in MESSAGE_STATUSES]
    campaigns = [func.count().label("campaigns_total")] + [
        func.count().filter(Campaign.status == s).label(f"campaigns_{s}") for s in CAMPAIGN_STATUSES]
    m = select(*messages).select_from(per_status).subquery("m")
    c = select(*campaigns).select_from(Campaign).subquery("c")
    k = select(func.count().label("contacts_total"),
               func.count(Contact.opted_out_at).label("contacts_opted_out")).select_from(Contact).subquery("k")
    return select(
        select(func.count()).select_from(Interaction).scalar_subquery().label("interactions_total"),
        m, c, k).select_from(m.join(c, true()).join(k, true()))  # one-row subqueries: explicit cross joins


def _int(value):
    """A count as an int: SUM gives NUMERIC on PostgreSQL, and NULL over no rows."""
    return int(value or 0)


def compute_stats():
    """The stats from the database, now."""
    row = db.session.execute(_statement()).mappings().one()
    return stats_out.dump({
        "contacts": {"total": row["contacts_total"], "opted_out": row["contacts_opted_out"]},
        "messages": {"total": _int(row["messages_total"]),
                     **{s: _int(row[f"messages_{s}"]) for s in MESSAGE_STATUSES}},
        "campaigns": {"total": row["campaigns_total"], **{s: row[f"campaigns_{s}"] for s in CAMPAIGN_STATUSES}},
        "interactions": {"total": row["interactions_total"]},
        "generated_at": utcnow(),
    })


def get_stats():
    """(stats, cache status)."""
    return get_cache().get_or_compute(keys.stats(), compute_stats)


def get_stats_json():
    """(the stats' JSON bytes, cache status): what GET /api/messages/stats serves as it is."""
    return get_cache().get_or_compute_json(keys.stats(), compute_stats)
