"""CSV import of contacts: each row checked like POST /api/contacts, the valid ones written set-based in chunks.

Rows are read one at a time (chatbot/services/contacts_csv.py), checked and gathered into chunks of CHUNK_ROWS
valid rows on a helper thread (chatbot/services/contact_rows.py) while this one writes the chunk before. Each
chunk is one unit of work of a fixed number of statements whatever its size (its rows travel as one JSON
parameter, chatbot/sql.py `json_table`): create the missing categories, read the known phones and their
links, upsert the new and changed contacts (INSERT ... ON CONFLICT (phone) DO UPDATE), add the links (ON
CONFLICT DO NOTHING). A chunk commits whole or not at all; the chunks before a failure stay committed, and the
error says how many rows they wrote. Importing the same file again changes nothing (`unchanged`).

- A known phone gets the file's name and joins the file's categories; it never leaves one.
- A phone seen earlier in the same file (after normalisation) is rejected as a duplicate of that line: the
  first row wins, whatever chunk it is in.
- Categories are matched by lower(name), the key of their unique index, computed by the database itself.
- Rows are written in phone order and links in (contact, category) order: two imports at once take their row
  locks in the same order, so they wait for each other instead of deadlocking (and a deadlock is retried).
"""
from sqlalchemy import Integer, Text, func, literal, select, true

from chatbot.clock import utcnow
from chatbot.errors import ApiError, Conflict
from chatbot.extensions import db
from chatbot.models import Category, Contact, contact_categories
from chatbot.schemas.contact_import import import_result_out
from chatbot.services.contact_rows import CheckedChunks
from chatbot.sql import dialect_insert, json_table
from chatbot.unit_of_work import GONE, run

CHUNK_ROWS = 5000
COUNTS = ("created", "updated", "unchanged")


def import_contacts(binary, chunk_rows=CHUNK_ROWS):
    """Import the CSV read from `binary`; {"created", "updated", "unchanged", "rejected"}.

    NotACsv (400) when it is not a contacts CSV; a Conflict (409) when a chunk hit a concurrent write. Either
    error's details say what the chunks committed before it (`written`).
    """
    summary = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        with CheckedChunks(binary, chunk_rows) as chunks:
            for chunk in chunks:
                _add(summary, write_chunk(chunk))
    except ApiError as exc:
        exc.details = {**exc.details, "written": dict(summary)}
        raise
    return import_result_out.dump({**summary, "rejected": chunks.rejected})


def _add(summary, counts):
    for name in COUNTS:
        summary[name] += counts[name]


def write_chunk(rows):
    """Write one chunk in one unit of work; {"created", "updated", "unchanged"}."""
    return run(lambda uow: _write(uow, rows, utcnow()))


def _write(uow, rows, now):
    """The chunk's statements: categories, what is known, the upsert, the links; then its event."""
    category_ids, created_categories = _categories(list(dict.fromkeys(n for _, _, names in rows for n in names)), now)
    known, links = _known([phone for phone, _, _ in rows])
    counts, writes = {"created": 0, "updated": 0, "unchanged": 0}, []
    for phone, name, names in rows:
        wanted = {category_ids[n] for n in names}
        contact_id, old_name = known.get(phone, (None, None))
        kind = ("created" if contact_id is None
                else "updated" if old_name != name or wanted - links.get(contact_id, set()) else "unchanged")
        counts[kind] += 1
        if kind != "unchanged":
            writes.append((phone, name, wanted))
    ids = _upsert(writes, now)
    pairs = sorted({(ids[phone], category_id) for phone, _, wanted in writes for category_id in wanted})
    if pairs:
        source = json_table([{"contact_id": c, "category_id": k} for c, k in pairs],
                            contact_id=Integer, category_id=Integer)
        db.session.execute(dialect_insert(contact_categories).from_select(
            ["contact_id", "category_id"],
            select(source.c.contact_id, source.c.category_id).where(true())
            .order_by(source.c.contact_id, source.c.category_id)).on_conflict_do_nothing())
    touched = set(created_categories) | {category_id for _, category_id in pairs}
    if touched or writes:
        uow.emit("contacts.imported", category_ids=sorted(touched))
    return counts


def _categories(names, now):
    """({name as written: id}, [ids created]): the missing categories created, all matched by lower(name).

    `names` in the order the file first wrote them: of two spellings of a new name, the first one is kept.
    """
    if not names:
        return {}, []
    source = json_table([{"name": n, "position": i} for i, n in enumerate(names)], name=Text, position=Integer)
    stamp = literal(now, Category.created_at.type)
    # ON CONFLICT DO NOTHING: a name that exists in another case, or twice in the file, or that a concurrent
    # write creates, is skipped, never a unique violation. In lower(name) order, the order of the index that
    # concurrent imports wait on. `WHERE true`: SQLite's upsert after a SELECT needs one.
    created = list(db.session.scalars(dialect_insert(Category.__table__).from_select(
        ["name", "created_at", "updated_at"],
        select(source.c.name, stamp, stamp).where(true()).order_by(func.lower(source.c.name), source.c.position))
        .on_conflict_do_nothing().returning(Category.id)))
    source = json_table([{"name": n} for n in names], name=Text)
    ids = dict(db.session.execute(select(source.c.name, Category.id)
                                  .join(Category, func.lower(Category.name) == func.lower(source.c.name))).all())
    if len(ids) < len(names):
        raise Conflict(GONE)  # deleted between the two statements: the chunk rolls back
    return ids, created


def _known(phones):
    """({phone: (id, name)} of the known phones, {contact id: {category ids}} of their links)."""
    source = json_table([{"phone": p} for p in phones], phone=Text)
    known = {phone: (contact_id, name) for phone, contact_id, name in db.session.execute(
        select(Contact.phone, Contact.id, Contact.name).where(Contact.phone.in_(select(source.c.phone))))}
    links = {}
    if known:
        ids = json_table([{"id": contact_id} for contact_id, _ in known.values()], id=Integer)
        for contact_id, category_id in db.session.execute(
                select(contact_categories.c.contact_id, contact_categories.c.category_id)
                .where(contact_categories.c.contact_id.in_(select(ids.c.id)))):
            links.setdefault(contact_id, set()).add(category_id)
    return known, links


def _upsert(writes, now):
    """Insert the new phones and rename the known ones, in phone order; {phone: id} of all of them."""
    if not writes:
        return {}
    source = json_table([{"phone": phone, "name": name} for phone, name, _ in writes], phone=Text, name=Text)
    stamp = literal(now, Contact.created_at.type)
    insert = dialect_insert(Contact.__table__).from_select(
        ["phone", "name", "created_at", "updated_at"],
        select(source.c.phone, source.c.name, stamp, stamp).where(true()).order_by(source.c.phone))
    upsert = insert.on_conflict_do_update(index_elements=["phone"], set_={
        "name": insert.excluded.name, "updated_at": insert.excluded.updated_at})
    return {phone: contact_id for contact_id, phone in db.session.execute(upsert.returning(Contact.id, Contact.phone))}
