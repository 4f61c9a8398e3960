"""The triggers that keep the maintained counts (chatbot/models/counts.py), and the full recount, as SQL.

PostgreSQL: one AFTER ... FOR EACH STATEMENT trigger per table and event, with the statement's transition
table(s) (REFERENCING NEW TABLE / OLD TABLE): one INSERT ... SELECT ... GROUP BY per write statement, whatever
the number of rows it wrote. It fires for COPY and for the rows a foreign key's ON DELETE CASCADE removes (each
row is seen once, PostgreSQL's CREATE TRIGGER notes), so no write path, the seed, an import or an operator's
SQL included, can forget the counts. An INSERT ... ON CONFLICT DO UPDATE fires the INSERT trigger with the
inserted rows and the UPDATE trigger with the updated ones. A transition table may not go with a column list,
so the UPDATE triggers fire on every UPDATE; one that changes no counted column inserts nothing (HAVING).
SQLite has row triggers only (UPDATE OF the counted columns only): the same deltas per row, inside the engine,
added to the key's row in place (SQLite has one writer at a time anyway).

TRUNCATE fires none of them: after a TRUNCATE by hand, `flask stats rebuild`.
"""
from chatbot.models.counts import COUNTED, SOURCES, TARGETS

EVENTS = {"insert": (("new_rows", 1),), "delete": (("old_rows", -1),),
          "update": (("new_rows", 1), ("old_rows", -1))}
REFERENCING = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
               "update": "NEW TABLE AS new_rows OLD TABLE AS old_rows"}


def name(source, event):
    """The trigger's (and on PostgreSQL its function's) name."""
    return f"counts_{source}_{event}"


def _signed_rows(rule, event, rows_of):
    """SELECT key, ±1 over the rows the event added or removed, for one rule."""
    where = f" WHERE {rule.where}" if rule.where else ""
    return [f"SELECT {rule.key} AS key, {sign} AS n FROM {rows_of(relation, rule)}{where}"
            for relation, sign in EVENTS[event]]


def deltas(source, event, rows_of):
    """(counts table, SELECT key, n): per counts table, the keys `event` on `source` changed and by how much."""
    result = []
    for target in TARGETS.values():
        rules = [r for r in COUNTED if r.source == source and r.target == target.table]
        if rules:
            selects = [s for rule in rules for s in _signed_rows(rule, event, rows_of)]
            exists = f" WHERE {target.exists}" if target.exists else ""
            result.append((target, f"SELECT d.key AS key, SUM(d.n) AS n FROM ({' UNION ALL '.join(selects)}) AS d"
                                   f"{exists} GROUP BY d.key HAVING SUM(d.n) <> 0"))
    return result


def _append(target, select):
    """PostgreSQL: the deltas as new rows (inserts never wait on one another)."""
    return f"INSERT INTO {target.table} ({target.key_column}, n) SELECT key, n FROM ({select}) AS delta"


def _accumulate(target, select):
    """SQLite: the deltas added to the key's newest row, or a new row for a key that has none. SQLite has one
    writer at a time whatever we do, so a row updated in place costs no concurrency, and the table stays one row
    per key however many rows a write touches."""
    key = target.key_column
    return (f"UPDATE {target.table} SET n = {target.table}.n + delta.n FROM ({select}) AS delta "
            f"WHERE {target.table}.id = (SELECT MAX(id) FROM {target.table} WHERE {key} = delta.key);\n  "
            f"INSERT INTO {target.table} ({key}, n) SELECT key, n FROM ({select}) AS delta "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target.table} WHERE {key} = delta.key)")


def _postgresql_rows(relation, _rule):
    return relation


def _sqlite_rows(relation, rule):
    """The row trigger's one row as a derived table: (SELECT NEW.status AS status) AS new_rows."""
    prefix = "NEW" if relation == "new_rows" else "OLD"
    columns = ", ".join(f"{prefix}.{c} AS {c}" for c in rule.columns) or "1 AS one"
    return f"(SELECT {columns}) AS {relation}"


def _columns(source):
    """The columns of `source` some count reads."""
    return sorted({c for rule in COUNTED if rule.source == source for c in rule.columns})


def triggers():
    """(source, event) of every trigger: no UPDATE trigger where no counted column can change."""
    return [(source, event) for source in SOURCES for event in EVENTS if event != "update" or _columns(source)]


def _postgresql_function(source, event):
    """CREATE FUNCTION: the trigger's body, one INSERT ... SELECT per counts table."""
    body = ";\n  ".join(_append(t, select) for t, select in deltas(source, event, _postgresql_rows))
    return (f"CREATE FUNCTION {name(source, event)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$")


def create_trigger(dialect, source, event):
    """CREATE TRIGGER for one table and event (on PostgreSQL, calling the function of the same name)."""
    if dialect == "postgresql":
        return (f"CREATE TRIGGER {name(source, event)} AFTER {event.upper()} ON {source} "
                f"REFERENCING {REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name(source, event)}()")
    on = f"UPDATE OF {', '.join(_columns(source))}" if event == "update" else event.upper()
    body = ";\n  ".join(_accumulate(t, select) for t, select in deltas(source, event, _sqlite_rows))
    return f"CREATE TRIGGER {name(source, event)} AFTER {on} ON {source} FOR EACH ROW\nBEGIN\n  {body};\nEND"


def drop_trigger(dialect, source, event):
    """DROP TRIGGER for one table and event (a PostgreSQL function stays)."""
    return f"DROP TRIGGER {name(source, event)}" + (f" ON {source}" if dialect == "postgresql" else "")


# SQLite gives a new row the highest id + 1, so a new category can take the id of one just deleted: its count rows
# must go with it (PostgreSQL's ids never come back; the fold drops such rows there).
SQLITE_CATEGORY_DELETE = ("CREATE TRIGGER counts_categories_delete AFTER DELETE ON categories FOR EACH ROW\n"
                          "BEGIN\n  DELETE FROM category_counts WHERE category_id = OLD.id;\nEND")


def create(dialect):
    """The statements creating the triggers (and PostgreSQL's functions) on `dialect`: 'postgresql' or 'sqlite'."""
    statements = []
    for source, event in triggers():
        if dialect == "postgresql":
            statements.append(_postgresql_function(source, event))
        statements.append(create_trigger(dialect, source, event))
    return statements + ([] if dialect == "postgresql" else [SQLITE_CATEGORY_DELETE])


def drop(dialect):
    """The statements dropping them."""
    if dialect == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {name(s, e)}() CASCADE" for s, e in triggers()]
    return [f"DROP TRIGGER IF EXISTS {name(s, e)}" for s, e in triggers()] + [
        "DROP TRIGGER IF EXISTS counts_categories_delete"]


def recount(target):
    """SELECT key, n: each key of a counts table counted from the rows themselves (what the deltas must sum to)."""
    return " UNION ALL ".join(_counted(rule) for rule in COUNTED if rule.target == target)


def _counted(rule):
    """One rule's recount. Rows are grouped by their columns first and the key computed per group (not per row):
    'messages.' || status over ten million rows would concatenate ten million times."""
    where = f" WHERE {rule.where}" if rule.where else ""
    if not rule.group:
        return f"SELECT {rule.key} AS key, COUNT(*) AS n FROM {rule.source}{where}"
    group = ", ".join(rule.group)
    return (f"SELECT {rule.key} AS key, n FROM "
            f"(SELECT {group}, COUNT(*) AS n FROM {rule.source}{where} GROUP BY {group}) AS grouped")


def fill(target):
    """INSERT the recount into an (empty) counts table."""
    key_column = TARGETS[target].key_column
    return f"INSERT INTO {target} ({key_column}, n) SELECT key, n FROM ({recount(target)}) AS counted"
