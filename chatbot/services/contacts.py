"""Contacts: CRUD, category membership, and a page in at most three statements."""
from sqlalchemy import delete, func, select

from chatbot.clock import utcnow
from chatbot.errors import Conflict
from chatbot.extensions import db
from chatbot.messaging import counters, optouts
from chatbot.messaging.counters import Tally
from chatbot.models import Contact, Interaction, Message, contact_categories
from chatbot.schemas.contact import contact_out, contact_page_out
from chatbot.services.common import category_ids_of, check_category_ids, get_or_404
from chatbot.sql import insert_links
from chatbot.unit_of_work import writing

DUPLICATE = "a contact with this phone number already exists"
CONTACT_FIELDS = ("id", "phone", "name", "last_interaction_at", "opted_out_at", "created_at", "updated_at")


def _category_ids_by_contact(contact_ids):
    """{contact_id: [category ids]} for many contacts in one statement."""
    return category_ids_of(contact_categories, "contact_id", contact_ids)


def _fields(contact):
    return {c: getattr(contact, c) for c in CONTACT_FIELDS}


def _dump(contact, category_ids):
    return contact_out.dump({**_fields(contact), "category_ids": category_ids})


def _filtered(query, category_id=None, search=None, opted_out=None):
    if opted_out is not None:
        query = query.where(Contact.opted_out_at.is_not(None) if opted_out else Contact.opted_out_at.is_(None))
    if category_id is not None:
        query = query.where(Contact.id.in_(select(contact_categories.c.contact_id)
                                           .where(contact_categories.c.category_id == category_id)))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(Contact.name.ilike(pattern, escape="\\") | Contact.phone.like(pattern, escape="\\"))
    return query


def list_contacts(page=1, per_page=50, **filters):
    """A page of contacts, newest first: rows, total and category ids, three statements.

    Plain rows, not ORM objects: nothing to track, and no relationship that could be loaded lazily.
    """
    rows = db.session.execute(
        _filtered(select(*[getattr(Contact, c) for c in CONTACT_FIELDS]), **filters)
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    total = db.session.scalar(_filtered(select(func.count(Contact.id)), **filters))
    ids = _category_ids_by_contact([c.id for c in rows])
    items = [{**_fields(c), "category_ids": ids[c.id]} for c in rows]
    return contact_page_out.dump({"items": items, "page": page, "per_page": per_page, "total": total})


def get_contact(contact_id):
    """One contact with its category ids."""
    contact = get_or_404(Contact, contact_id, "contact")
    return _dump(contact, _category_ids_by_contact([contact_id])[contact_id])


def _link(contact_id, category_ids):
    """Put the contact in these categories (idempotent: two identical writes at once both succeed)."""
    insert_links(contact_categories, [{"contact_id": contact_id, "category_id": cid} for cid in category_ids])


def create_contact(data):
    """Insert a contact in its categories; 409 on a duplicate phone, 422 on an unknown category."""
    category_ids = data.get("category_ids", [])
    with writing(conflict=(DUPLICATE, "phone")) as uow:
        check_category_ids(category_ids)
        _check_phone_free(data["phone"])
        contact = Contact(phone=data["phone"], name=data["name"])
        db.session.add(contact)
        db.session.flush()  # the id, for the links; a concurrent duplicate fails here
        _link(contact.id, category_ids)
        uow.emit("contact.created", contact_id=contact.id, category_ids=sorted(set(category_ids)))
    return _dump(contact, sorted(category_ids))


def _check_phone_free(phone, exclude_id=None):
    """Friendly 409 before writing; the unique constraint still guards races."""
    query = select(Contact.id).where(Contact.phone == phone)
    if exclude_id is not None:
        query = query.where(Contact.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(DUPLICATE, {"phone": [DUPLICATE]})


def update_contact(contact_id, data):
    """Change name, phone and/or the whole set of categories."""
    with writing(conflict=(DUPLICATE, "phone")) as uow:
        contact = get_or_404(Contact, contact_id, "contact")
        old_ids = _category_ids_by_contact([contact_id])[contact_id]
        new_ids = data.get("category_ids", old_ids)
        # Every check before the first write: a refused PATCH leaves nothing behind (it rolls back anyway).
        if "category_ids" in data:
            check_category_ids(new_ids)
        if "phone" in data:
            _check_phone_free(data["phone"], exclude_id=contact_id)
        if "category_ids" in data:
            db.session.execute(delete(contact_categories).where(contact_categories.c.contact_id == contact_id))
            _link(contact_id, new_ids)
        for field in ("name", "phone"):
            if field in data:
                setattr(contact, field, data[field])
        now = contact.updated_at = utcnow()
        if "opted_out" in data:
            _set_opted_out(contact, data["opted_out"], now, uow)
        uow.emit("contact.updated", contact_id=contact_id, category_ids=sorted(set(old_ids) | set(new_ids)))
    return _dump(contact, sorted(new_ids))


def _set_opted_out(contact, opted_out, now, uow):
    """Opt out (since now, unless already) and fail the pending messages, or opt back in."""
    if not opted_out:
        contact.opted_out_at = None
        return
    if contact.opted_out_at is None:
        contact.opted_out_at = now
    db.session.flush()  # the contact's row now: the Core UPDATE below does not autoflush
    tally = Tally()
    optouts.fail_pending([contact.id], tally, now)
    tally.apply_counters()
    tally.emit(uow)


def delete_contact(contact_id):
    """Delete a contact with its messages and interactions; the campaigns' counters follow."""
    with writing() as uow:
        get_or_404(Contact, contact_id, "contact")
        category_ids = _category_ids_by_contact([contact_id])[contact_id]
        campaign_ids = sorted(db.session.scalars(
            select(Message.campaign_id).where(Message.contact_id == contact_id, Message.campaign_id.is_not(None))
            .distinct()))
        # Explicit deletes (not only ON DELETE CASCADE) so the counters below see the rows gone.
        db.session.execute(delete(Interaction).where(Interaction.contact_id == contact_id))
        db.session.execute(delete(Message).where(Message.contact_id == contact_id))
        db.session.execute(delete(Contact).where(Contact.id == contact_id))
        counters.recompute(campaign_ids)
        uow.emit("contact.deleted", contact_id=contact_id, category_ids=category_ids, campaign_ids=campaign_ids)
