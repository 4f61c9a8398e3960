"""Benchmark: what the maintained counts' triggers add to a write, on PostgreSQL, triggers on against off in one run.

    python -m bench.count_writes [--database-url postgresql://postgres@127.0.0.1:5432/bench] [--rounds 300]

On the data already there (seed it first, e.g. with bench.reads; its database name must contain "bench").
Each write is a statement the app sends (a status from a webhook: one message UPDATE; a dispatch batch: 200
messages; a contact created with two categories; an answer), timed inside a transaction that is rolled back, so
no row changes. "off" runs with the counts' triggers disabled (ALTER TABLE ... DISABLE TRIGGER, committed, so the
statements after it are planned as usual; they are enabled again at the end, whatever happens). On and off
alternate three times, so a change of the machine's load hits both alike.
"""
import argparse
import statistics
import time

from sqlalchemy import create_engine, text

from chatbot.models import count_triggers

WRITES = {
    "a status (1 message UPDATE)": [
        "UPDATE messages SET status = 'delivered', updated_at = now() WHERE id = (SELECT min(id) FROM messages)"],
    "a dispatch batch (200 messages UPDATE)": [
        "UPDATE messages SET status = 'sent', updated_at = now() "
        "WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT 200)"],
    "a contact with two categories (INSERT + 1 INSERT of links)": [
        "INSERT INTO contacts (phone, name, created_at, updated_at) VALUES ('+33600000000', 'Bench', now(), now())",
        "INSERT INTO contact_categories (contact_id, category_id) SELECT currval('contacts_id_seq'), id "
        "FROM categories ORDER BY id LIMIT 2"],
    "an answer (1 interaction INSERT)": [
        "INSERT INTO interactions (contact_id, wamid, kind, occurred_at, created_at) "
        "SELECT min(id), 'wamid.bench', 'text', now(), now() FROM contacts"],
}


def switch(conn, on):
    """Enable or disable every counts trigger (committed)."""
    with conn.begin():
        for source, event in count_triggers.triggers():
            verb = "ENABLE" if on else "DISABLE"
            conn.execute(text(f"ALTER TABLE {source} {verb} TRIGGER {count_triggers.name(source, event)}"))


def timed(conn, statements, triggers_on, rounds):
    """Milliseconds of the statements, each round in its own rolled-back transaction."""
    switch(conn, triggers_on)
    result = []
    for _ in range(rounds):
        with conn.begin() as transaction:
            started = time.perf_counter()
            for statement in statements:
                conn.execute(text(statement))
            result.append((time.perf_counter() - started) * 1000)
            transaction.rollback()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing to switch the triggers of a database whose name does not contain 'bench'")
    engine = create_engine(args.database_url)
    print("| write | triggers off p50 | triggers on p50 | added |", "|---|---|---|---|", sep="\n")
    with engine.connect() as conn:
        try:
            measure(conn, args.rounds)
        finally:
            switch(conn, True)


def measure(conn, rounds):
    """One table row per write."""
    for name, statements in WRITES.items():
        timed(conn, statements, True, 20)  # warm-up
        on, off = [], []
        for _ in range(3):
            off += timed(conn, statements, False, rounds // 3)
            on += timed(conn, statements, True, rounds // 3)
        p50_on, p50_off = statistics.median(on), statistics.median(off)
        print(f"| {name} | {p50_off:.3f} ms | {p50_on:.3f} ms | {p50_on - p50_off:+.3f} ms |")


if __name__ == "__main__":
    main()
