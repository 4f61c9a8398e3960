"""The SQL side of bench/reads.py: the API's statements timed against their baselines on one connection,
and EXPLAIN (ANALYZE, BUFFERS) of each with and without the index it relies on.

The statements are built by the services themselves (counts.stats_statement, categories._list_statement and
_with_counts, messages.page_statement, contacts._filtered), so what is timed and explained is what the API runs. The
stats and the category counts read the maintained counts (chatbot/models/counts.py); the full counts they replaced
are the baselines, timed in the same run.
"""
import re
import time

from sqlalchemy import func, select, true

from chatbot.extensions import db
from chatbot.models import CAMPAIGN_STATUSES, MESSAGE_STATUSES, Campaign, Category, Contact, Interaction, Message
from chatbot.models import contact_categories
from chatbot.services import categories, contacts, counts, messages

STATS_API = "stats: maintained counts, SUM over the deltas (API)"
STATS_FULL = "stats: full count, grouped by status then pivoted (previous API)"
CATEGORIES_API = "categories: maintained counts, the deltas summed by category then LEFT JOINed (API)"
CATEGORIES_CORRELATED = "categories: maintained counts, a correlated SUM of deltas per category (before)"
CATEGORIES_FULL = "categories: a correlated COUNT of links per category (previous API)"

PER_PAGE = 50
DEEP_PAGE = 5000


def compiled(statement):
    """(SQL with %(name)s placeholders, parameters) as the psycopg dialect sends them."""
    sql = statement.compile(dialect=db.engine.dialect)
    return sql.string, dict(sql.params)


def full_count_stats_statement():
    """The stats as a full count (the API's statement before the maintained counts, kept as the baseline).

    Each table is read once. Messages are grouped by status first (on PostgreSQL an index-only scan of the
    small ix_messages_status, once VACUUM has set the visibility map), then the six groups are pivoted with
    FILTER: filtering the million rows themselves would test seven conditions on every row.
    """
    per_status = select(Message.status, func.count().label("n")).group_by(Message.status).subquery("per_status")
    message_counts = [func.sum(per_status.c.n).label("messages_total")] + [
        func.sum(per_status.c.n).filter(per_status.c.status == s).label(f"messages_{s}") for s in MESSAGE_STATUSES]
    campaign_counts = [func.count().label("campaigns_total")] + [
        func.count().filter(Campaign.status == s).label(f"campaigns_{s}") for s in CAMPAIGN_STATUSES]
    m = select(*message_counts).select_from(per_status).subquery("m")
    c = select(*campaign_counts).select_from(Campaign).subquery("c")
    k = select(func.count().label("contacts_total"),
               func.count(Contact.opted_out_at).label("contacts_opted_out")).select_from(Contact).subquery("k")
    return select(
        select(func.count()).select_from(Interaction).scalar_subquery().label("interactions_total"),
        m, c, k).select_from(m.join(c, true()).join(k, true()))  # one-row subqueries: explicit cross joins


def full_count_categories_statement():
    """The category list as a full count (the API's statement before the maintained counts, the baseline): a
    correlated COUNT per category, an index-only range count on ix_contact_categories_category_id_contact_id."""
    count = (select(func.count()).select_from(contact_categories)
             .where(contact_categories.c.category_id == Category.id).scalar_subquery())
    return (select(Category.id, Category.name, Category.description, Category.created_at, Category.updated_at,
                   count.label("contact_count")).order_by(func.lower(Category.name), Category.id))


def old_stats_statement():
    """An older stats statement (baseline): seven FILTER aggregates evaluated on every message row."""
    counts = [func.count().label("messages_total")] + [
        func.count().filter(Message.status == s).label(f"messages_{s}") for s in MESSAGE_STATUSES]
    m = select(*counts).select_from(Message).subquery("m")
    return select(select(func.count()).select_from(Contact).scalar_subquery(),
                  select(func.count()).select_from(Interaction).scalar_subquery(),
                  select(func.count()).select_from(Campaign).scalar_subquery(), m)


def old_categories_statement():
    """The previous category list (baseline): every link joined to its category, then grouped."""
    return (select(Category.id, Category.name, Category.description, Category.created_at, Category.updated_at,
                   func.count(contact_categories.c.contact_id).label("contact_count"))
            .outerjoin(contact_categories, contact_categories.c.category_id == Category.id)
            .group_by(Category.id).order_by(func.lower(Category.name), Category.id))


def grouped_categories_statement():
    """Links grouped by category first, then LEFT JOINed to the categories (baseline)."""
    counts = (select(contact_categories.c.category_id, func.count().label("n"))
              .group_by(contact_categories.c.category_id).subquery("counts"))
    return (select(Category.id, Category.name, Category.description, Category.created_at, Category.updated_at,
                   func.coalesce(counts.c.n, 0).label("contact_count"))
            .outerjoin(counts, counts.c.category_id == Category.id).order_by(func.lower(Category.name), Category.id))


def category_list_statement():
    """What GET /api/categories runs."""
    return categories._list_statement()


def correlated_categories_statement():
    """The list as it read the maintained counts before: a correlated SUM per category (baseline)."""
    return categories._with_counts().order_by(func.lower(Category.name), Category.id)


def deep_cursor(conn):
    """(created_at, id) of the last row before page DEEP_PAGE: what the cursor of that page holds."""
    return conn.execute(select(Message.created_at, Message.id)
                        .order_by(Message.created_at.desc(), Message.id.desc())
                        .offset((DEEP_PAGE - 1) * PER_PAGE - 1).limit(1)).one()


def run(conn, statement_or_sql, params=None):
    """Execute and fetch everything (as the app does)."""
    if isinstance(statement_or_sql, str):
        return conn.exec_driver_sql(statement_or_sql, params or {}).fetchall()
    sql, bound = compiled(statement_or_sql)
    return conn.exec_driver_sql(sql, bound).fetchall()


def timings(conn, work, rounds):
    """Milliseconds of `work()` over `rounds` runs, after one warm-up run."""
    work()
    result = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        result.append((time.perf_counter() - started) * 1000)
    return result


def naive_categories(conn):
    """The naive way: list the categories, then one COUNT per category (N + 1 statements)."""
    rows = run(conn, "SELECT id, name, description, created_at, updated_at FROM categories ORDER BY lower(name), id")
    return [(*row, run(conn, "SELECT count(*) FROM contact_categories WHERE category_id = %(id)s",
                       {"id": row[0]})[0][0]) for row in rows]


def statement_timings(conn, rounds):
    """{name: [ms]}: each API statement next to its baseline, on the same connection and data."""
    after = deep_cursor(conn)
    keyset = messages.page_statement(PER_PAGE, after=tuple(after))
    offset = messages.page_statement(PER_PAGE).offset((DEEP_PAGE - 1) * PER_PAGE)
    result = {
        STATS_API: timings(conn, lambda: run(conn, counts.stats_statement()), rounds),
        STATS_FULL: timings(conn, lambda: run(conn, full_count_stats_statement()), rounds),
        "stats: FILTER on every row (older)": timings(conn, lambda: run(conn, old_stats_statement()), rounds),
        CATEGORIES_API: timings(conn, lambda: run(conn, category_list_statement()), rounds),
        CATEGORIES_CORRELATED: timings(conn, lambda: run(conn, correlated_categories_statement()), rounds),
        CATEGORIES_FULL: timings(conn, lambda: run(conn, full_count_categories_statement()), rounds),
        "categories: LEFT JOIN, then GROUP BY (older)": timings(
            conn, lambda: run(conn, old_categories_statement()), rounds),
        "categories: GROUP BY the links, then LEFT JOIN": timings(
            conn, lambda: run(conn, grouped_categories_statement()), rounds),
        "categories: naive, 1 + one COUNT per category": timings(conn, lambda: naive_categories(conn), rounds),
        "messages page 1 (keyset)": timings(conn, lambda: run(conn, messages.page_statement(PER_PAGE)), rounds),
        f"messages page {DEEP_PAGE:,} (keyset cursor)": timings(conn, lambda: run(conn, keyset), rounds),
        f"messages page {DEEP_PAGE:,} (OFFSET {(DEEP_PAGE - 1) * PER_PAGE:,})": timings(
            conn, lambda: run(conn, offset), max(3, rounds // 3)),
    }
    conn.exec_driver_sql("SET max_parallel_workers_per_gather = 0")
    result["stats: full count without parallel workers"] = timings(
        conn, lambda: run(conn, full_count_stats_statement()), rounds)
    conn.exec_driver_sql("RESET max_parallel_workers_per_gather")
    conn.rollback()
    return result


def busiest(conn, column):
    """The value of `column` with the most messages."""
    return conn.execute(select(column).where(column.is_not(None)).group_by(column)
                        .order_by(func.count().desc()).limit(1)).scalar_one()


def explained_statements(conn):
    """(index, what uses it, request, statement) for every index the hot reads rely on."""
    after = tuple(deep_cursor(conn))
    category = conn.execute(select(Category.id).order_by(Category.id).limit(1)).scalar_one()
    fields = [getattr(Contact, c) for c in contacts.CONTACT_FIELDS]
    return [
        ("ix_messages_status", "the full count by status (`flask stats verify`, the previous stats read)",
         "flask stats verify", full_count_stats_statement()),
        ("ix_messages_created_at_id", "the message list, newest first, at any depth",
         f"GET /api/messages?cursor=<page {DEEP_PAGE:,}>", messages.page_statement(PER_PAGE, after=after)),
        ("ix_messages_status_created_at_id", "the status filter (a rare status is the worst case)",
         "GET /api/messages?status=failed", messages.page_statement(PER_PAGE, status="failed")),
        ("ix_messages_campaign_id_created_at_id", "the campaign filter",
         "GET /api/messages?campaign_id=<largest>",
         messages.page_statement(PER_PAGE, campaign_id=busiest(conn, Message.campaign_id))),
        ("ix_messages_contact_id_created_at_id", "the contact filter",
         "GET /api/messages?contact_id=<busiest>",
         messages.page_statement(PER_PAGE, contact_id=busiest(conn, Message.contact_id))),
        ("ix_category_counts_category_id", "a category's contact_count, from its deltas",
         f"GET /api/categories/{category} (uncached)", categories._with_counts().where(Category.id == category)),
        ("ix_contact_categories_category_id_contact_id", "a category's links counted (the previous contact_count)",
         f"GET /api/categories/{category} before the maintained counts",
         full_count_categories_statement().where(Category.id == category)),
        ("ix_contacts_created_at_id", "the contacts page, newest first",
         "GET /api/contacts?per_page=50",
         select(*fields).order_by(Contact.created_at.desc(), Contact.id.desc()).limit(PER_PAGE)),
    ]


KEEP = re.compile(r"Scan|Join|Nested|Sort|Aggregate|Gather|Limit|Index Cond|Heap Fetches|Rows Removed|"
                  r"Filter:|Workers|Execution Time|Append|Subquery")


def excerpt(plan_lines, limit=24):
    """The plan's telling lines, costs dropped (actual times kept)."""
    kept = [re.sub(r"\(cost=[^)]*\) ", "", line) for line in plan_lines if KEEP.search(line)]
    return kept[:limit - 1] + [kept[-1]] if len(kept) > limit else kept


def explain(conn, statement):
    """EXPLAIN (ANALYZE, BUFFERS) lines of the statement."""
    sql, params = compiled(statement)
    run(conn, sql, params)  # warm the cache as the API's repeated calls would
    return [row[0] for row in run(conn, "EXPLAIN (ANALYZE, BUFFERS) " + sql, params)]


def execution_ms(plan_lines):
    """The plan's 'Execution Time' in ms."""
    for line in plan_lines:
        if line.startswith("Execution Time"):
            return float(line.split(":")[1].split()[0])
    return None


def index_evidence(conn):
    """Per index: excerpts and times of its statement with the index, and without it (dropped, rolled back)."""
    evidence = []
    for index, purpose, request, statement in explained_statements(conn):
        with_index = explain(conn, statement)
        conn.rollback()
        conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
        conn.exec_driver_sql(f'DROP INDEX "{index}"')
        without = explain(conn, statement)
        conn.rollback()  # the index is back
        evidence.append({"index": index, "purpose": purpose, "request": request,
                         "with": excerpt(with_index), "with_ms": execution_ms(with_index),
                         "without": excerpt(without), "without_ms": execution_ms(without)})
    return evidence


def server_settings(conn):
    """The PostgreSQL settings that shape these plans."""
    names = ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit",
             "random_page_cost")
    rows = run(conn, "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%(n)s) ORDER BY name",
               {"n": list(names)})
    version = run(conn, "SHOW server_version")[0][0]
    sizes = run(conn, "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
                      "WHERE relname IN ('messages', 'contacts', 'contact_categories', 'interactions') ORDER BY 1")
    counts = {t: run(conn, f"SELECT count(*) FROM {t}")[0][0]
              for t in ("messages", "contacts", "categories", "campaigns", "interactions", "contact_categories",
                        "stat_counts", "category_counts")}
    conn.rollback()
    return {"version": version, "settings": [f"{n}={s}{u or ''}" for n, s, u in rows],
            "sizes": [f"{n} {s}" for n, s in sizes], "counts": counts}
