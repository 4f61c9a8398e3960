"""Benchmark: importing 100,000 contacts from a CSV on PostgreSQL, against one POST /api/contacts per row.

    python -m bench.imports --database-url postgresql://postgres@127.0.0.1:5432/test_h3_bench \
        --redis-url redis://127.0.0.1:6379/3 [--rows 100000 --naive 1000]

It EMPTIES that database's app tables (use a throwaway database) and builds the schema with the migrations if
needed. It writes a CSV of `--rows` new contacts (valid French mobile numbers, three category names in five)
to a temporary file, then, through the app's own WSGI stack in this process (test client, API_TOKEN set):
1. a warm-up import of 1,000 other rows (code paths and connections in place: RSS measured from here);
2. `POST /api/contacts/import` of the file as a streamed `text/csv` body: seconds, rows/s, peak RSS growth
   (getrusage) against the file's size;
3. the same file again: every row `unchanged`;
4. `GET /api/contacts/export`: seconds, bytes, RSS growth;
5. the naive baseline: one `POST /api/contacts` per row for `--naive` more rows, rows/s, and the ratio.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

from sqlalchemy import text

from bench.common import ROOT, truncate_all
from chatbot import create_app
from chatbot.extensions import db

TOKEN = "bench-imports-token"
CATEGORIES = ("Customers", "Prospects", "VIP", "Newsletter", "Paris")


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--rows", type=int, default=100_000, help="contacts in the imported file")
    parser.add_argument("--naive", type=int, default=1_000, help="contacts posted one by one for the baseline")
    return parser.parse_args()


def migrate(args):
    """Build the schema the way the release phase does (its own process: Alembic reconfigures logging)."""
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
           "SCHEDULER_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)


def phone(number):
    """A valid French mobile number, distinct for each `number` below ten million."""
    return f"+3361{number:07d}"


def write_csv(path, first, count):
    """A CSV of `count` contacts numbered from `first`, written line by line."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("phone,name,categories\r\n")
        for number in range(first, first + count):
            names = ";".join(CATEGORIES[(number + k) % len(CATEGORIES)] for k in range(3))
            out.write(f"{phone(number)},Contact {number},{names}\r\n")
    return os.path.getsize(path)


def maxrss_mib():
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu_seconds():
    """CPU seconds (user + system) of every PostgreSQL backend serving this database, from /proc (the server runs
    on this machine): with the app's own CPU, what the import costs on an idle machine, whatever the load."""
    pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    db.session.rollback()
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone, or not ours to read
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def post_file(client, path):
    """POST the file as a streamed text/csv body; (answer, seconds)."""
    started = time.perf_counter()
    with open(path, "rb") as body:
        response = client.post("/api/contacts/import", input_stream=body, content_type="text/csv",
                               headers={"Content-Length": str(os.path.getsize(path))})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json(), elapsed


def naive(client, first, count):
    """One POST /api/contacts per row; seconds."""
    started = time.perf_counter()
    for number in range(first, first + count):
        response = client.post("/api/contacts", json={"phone": phone(number), "name": f"Contact {number}"})
        assert response.status_code == 201, response.get_data(as_text=True)
    return time.perf_counter() - started


def export(client):
    """GET /api/contacts/export read to the end; (bytes, seconds)."""
    started = time.perf_counter()
    response = client.get("/api/contacts/export")
    size = sum(len(piece) for piece in response.response)
    response.close()
    return size, time.perf_counter() - started


def main():
    """Warm up, import (timed), import again, export, then the naive baseline; print the figures."""
    args = parse_args()
    migrate(args)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "REDIS_URL": args.redis_url,
                      "SCHEDULER_ENABLED": False, "API_TOKEN": TOKEN, "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        db.session.execute(truncate_all())
        db.session.commit()
        db.session.remove()
        warm, path = os.path.join(folder, "warm.csv"), os.path.join(folder, "contacts.csv")
        write_csv(warm, 9_000_000, 1_000)
        size = write_csv(path, 0, args.rows)
        post_file(client, warm)
        before = maxrss_mib()
        cpu, server = time.process_time(), backend_cpu_seconds()
        result, elapsed = post_file(client, path)
        cpu, server = time.process_time() - cpu, backend_cpu_seconds() - server
        assert result["created"] == args.rows and not result["rejected"], {k: result[k] for k in ("created",)}
        grown = maxrss_mib() - before
        print(f"import: {args.rows:,} rows, file {size / 2**20:.1f} MiB, in {elapsed:.2f} s "
              f"({args.rows / elapsed:,.0f} rows/s; CPU: app {cpu:.2f} s + PostgreSQL {server:.2f} s; load average "
              f"{os.getloadavg()[0]:.1f}); peak RSS +{grown:.1f} MiB ({grown * 2**20 / size:.2f} x the file)")
        again, seconds = post_file(client, path)
        assert again["unchanged"] == args.rows, again["unchanged"]
        print(f"same file again: {again['unchanged']:,} unchanged in {seconds:.2f} s "
              f"({args.rows / seconds:,.0f} rows/s)")
        before = maxrss_mib()
        exported, seconds = export(client)
        print(f"export: {args.rows + 1_000:,} contacts, {exported / 2**20:.1f} MiB in {seconds:.2f} s "
              f"({(args.rows + 1_000) / seconds:,.0f} rows/s); peak RSS +{maxrss_mib() - before:.1f} MiB")
        seconds = naive(client, 5_000_000, args.naive)
        per_second = args.naive / seconds
        print(f"naive: {args.naive:,} rows, one POST /api/contacts each, in {seconds:.2f} s ({per_second:,.0f} rows/s; "
              f"load average {os.getloadavg()[0]:.1f}); the import is {args.rows / elapsed / per_second:.0f}x faster")


if __name__ == "__main__":
    main()
