"""The answers inbox: contacts' answers newest first, keyset-paginated like the messages list."""
from sqlalchemy import select

from chatbot.extensions import db
from chatbot.models import Contact, Interaction
from chatbot.services.messages import decode_cursor, keyset_page, newest_first

ROW_COLUMNS = (Interaction.id, Interaction.contact_id, Contact.name.label("contact_name"), Interaction.campaign_id,
               Interaction.kind, Interaction.body, Interaction.occurred_at)


def page_statement(per_page, after=None, campaign_id=None, contact_id=None):
    """One page's one statement, newest first by (occurred_at, id), after the cursor's row.

    An index range read backwards however deep: ix_interactions_occurred_at_id, or with a campaign
    ix_interactions_campaign_id_occurred_at_id; a contact's few answers come from
    ix_interactions_contact_id_occurred_at (sorted by id within a second, a handful of rows).
    """
    query = select(*ROW_COLUMNS).join(Contact, Contact.id == Interaction.contact_id)
    if campaign_id is not None:
        query = query.where(Interaction.campaign_id == campaign_id)
    if contact_id is not None:
        query = query.where(Interaction.contact_id == contact_id)
    return newest_first(query, Interaction.occurred_at, Interaction.id, per_page, after)


def list_interactions(per_page=50, cursor=None, **filters):
    """Newest first, one statement (rows for InteractionPage); the cursor is the messages list's."""
    after = decode_cursor(cursor) if cursor else None
    rows = db.session.execute(page_statement(per_page, after, **filters)).mappings().all()
    return keyset_page(rows, per_page, "occurred_at")
