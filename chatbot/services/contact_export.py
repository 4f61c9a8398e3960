"""CSV export of contacts, streamed: one statement read through a server-side cursor, sent in 64 KiB pieces."""
import itertools

from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import Category, Contact, contact_categories
from chatbot.services.common import get_or_404
from chatbot.services.contacts_csv import CATEGORY_SEPARATOR, COLUMNS, csv_line, neutralised

ROWS_PER_FETCH = 2000  # rows the cursor hands over at a time (yield_per): memory holds these, not the table
PIECE_CHARS = 64 * 1024


def check_exportable(category_id=None):
    """404 for an unknown category, before the first byte leaves (a streamed answer cannot change status)."""
    if category_id is not None:
        get_or_404(Category, category_id, "category")


def export_csv(category_id=None):
    """The CSV text (all contacts, or one category's) in pieces, contacts by id, categories by name.

    One statement, so one snapshot: a contact and its categories are read together even while others write.
    On PostgreSQL, yield_per reads it through a server-side cursor (psycopg's named cursor), ROWS_PER_FETCH rows
    at a time; the stream holds its connection until the last piece.
    """
    query = (select(Contact.id, Contact.phone, Contact.name, Category.name.label("category"))
             .outerjoin(contact_categories, contact_categories.c.contact_id == Contact.id)
             .outerjoin(Category, Category.id == contact_categories.c.category_id)
             .order_by(Contact.id, func.lower(Category.name)))
    if category_id is not None:
        query = query.where(Contact.id.in_(select(contact_categories.c.contact_id)
                                           .where(contact_categories.c.category_id == category_id)))
    rows = db.session.execute(query.execution_options(yield_per=ROWS_PER_FETCH))
    piece = [csv_line(COLUMNS)]
    size = len(piece[0])
    for _, group in itertools.groupby(rows, key=lambda row: row.id):
        group = list(group)
        names = CATEGORY_SEPARATOR.join(row.category for row in group if row.category is not None)
        line = csv_line([group[0].phone, neutralised(group[0].name), neutralised(names)])
        piece.append(line)
        size += len(line)
        if size >= PIECE_CHARS:
            yield "".join(piece)
            piece, size = [], 0
    rows.close()
    yield "".join(piece)
