"""Maintained counts: what the stats and each category's contact_count read instead of counting rows.

Both tables are append-only deltas: database triggers (chatbot/models/count_triggers.py) add one row per
key a write statement changed, `n` being what it added or removed; a fold (chatbot/services/counts.py) now
and then replaces each key's rows by their sum. A count is therefore SUM(n) over its key's rows, and no row is
ever updated in place, so concurrent writers never wait on one another's count row.

COUNTED says, once, which rows each key counts: the triggers, the full recount (`flask stats verify`,
`flask stats rebuild`, migration 0004) and nothing else are built from it.
"""
import dataclasses

from chatbot.extensions import db
from chatbot.models.base import BigId


class StatCount(db.Model):
    """A delta (or a folded sum) of one global count: 'contacts', 'messages.sent', 'campaigns.draft', ..."""

    __tablename__ = "stat_counts"

    id = db.Column(BigId, primary_key=True)
    key = db.Column(db.String(40), nullable=False, index=True)
    n = db.Column(db.BigInteger, nullable=False)


class CategoryCount(db.Model):
    """A delta (or a folded sum) of one category's contact_count.

    No foreign key, on purpose: its check would lock the category row (KEY SHARE) from inside the links' trigger,
    and a contact deleted while one of its categories is deleted would then deadlock (each transaction holding what
    the other waits for). Rows of a deleted category are never read (reads start from the category) and the next
    fold drops them; on SQLite, which reuses the highest id, a trigger deletes them with the category.
    """

    __tablename__ = "category_counts"

    id = db.Column(BigId, primary_key=True)
    category_id = db.Column(db.Integer, nullable=False, index=True)
    n = db.Column(db.BigInteger, nullable=False)


@dataclasses.dataclass(frozen=True)
class Counted:
    """Rows of `source` matching `where` counted under `key`, an SQL expression over the row's `group` columns.

    `uses` names the columns `where` reads (SQLite's row triggers copy exactly the columns named).
    """

    source: str
    key: str
    group: tuple = ()
    where: str = None
    uses: tuple = ()
    target: str = "stat_counts"

    @property
    def columns(self):
        """Every column the rule reads."""
        return self.group + self.uses


@dataclasses.dataclass(frozen=True)
class Target:
    """A counts table: its key column, and the condition a key must meet to be written (a category that exists)."""

    table: str
    key_column: str
    key_type: str
    exists: str = None


TARGETS = {
    "stat_counts": Target("stat_counts", "key", "text"),
    # A category deleted in this statement takes its links with it (ON DELETE CASCADE): their negative deltas
    # would count for a category that is gone. A plain read: no lock taken (see CategoryCount).
    "category_counts": Target("category_counts", "category_id", "integer",
                              exists="EXISTS (SELECT 1 FROM categories WHERE categories.id = d.key)"),
}

# The stats' totals are sums of these (messages and campaigns: over their statuses), so a status change is two
# deltas of one statement, never a third for the total.
COUNTED = (
    Counted("contacts", "'contacts'"),
    Counted("contacts", "'contacts.opted_out'", where="opted_out_at IS NOT NULL", uses=("opted_out_at",)),
    Counted("messages", "'messages.' || status", group=("status",)),
    Counted("campaigns", "'campaigns.' || status", group=("status",)),
    Counted("interactions", "'interactions'"),
    Counted("contact_categories", "category_id", group=("category_id",), target="category_counts"),
)
SOURCES = tuple(dict.fromkeys(rule.source for rule in COUNTED))
