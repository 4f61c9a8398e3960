"""Global statistics: one SQL statement, served through the cache."""
from sqlalchemy import func, select, true

from chatbot.cache import get_cache, keys
from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.models import MESSAGE_STATUSES, Campaign, Contact, Interaction, Message
from chatbot.schemas.fields import iso

CAMPAIGN_STATUSES = ("draft", "running", "completed")


def _statement():
    """Contacts, messages by status, campaigns by status and interactions in one SELECT.

    Each table is scanned once: FILTER aggregates inside a scalar subquery per table.
    """
    messages = [func.count().label("messages_total")] + [
        func.count().filter(Message.status == s).label(f"messages_{s}") for s in MESSAGE_STATUSES]
    campaigns = [func.count().label("campaigns_total")] + [
        func.count().filter(Campaign.status == s).label(f"campaigns_{s}") for s in CAMPAIGN_STATUSES]
    m = select(*messages).select_from(Message).subquery("m")
    c = select(*campaigns).select_from(Campaign).subquery("c")
    return select(
        select(func.count()).select_from(Contact).scalar_subquery().label("contacts_total"),
        select(func.count()).select_from(Interaction).scalar_subquery().label("interactions_total"),
        m, c).select_from(m.join(c, true()))  # two one-row subqueries: an explicit cross join


def compute_stats():
    """The stats from the database, now."""
    row = db.session.execute(_statement()).mappings().one()
    return {
        "contacts": {"total": row["contacts_total"]},
        "messages": {"total": row["messages_total"], **{s: row[f"messages_{s}"] for s in MESSAGE_STATUSES}},
        "campaigns": {"total": row["campaigns_total"], **{s: row[f"campaigns_{s}"] for s in CAMPAIGN_STATUSES}},
        "interactions": {"total": row["interactions_total"]},
        "generated_at": iso(utcnow()),
    }


def get_stats():
    """(stats, cache status)."""
    return get_cache().get_or_compute(keys.stats(), compute_stats)
