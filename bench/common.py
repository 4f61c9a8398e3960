"""Shared by the benchmarks: emptying our tables, with the names taken from the models (a new table is
never forgotten). Run scripts as `python bench/<name>.py`, which puts bench/ on the import path."""
import os
import sys

from sqlalchemy import text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import chatbot.models  # noqa: E402,F401  (registers every table in the metadata)
from chatbot.extensions import db  # noqa: E402


def truncate_all():
    """TRUNCATE every table of ours, ids restarted (PostgreSQL)."""
    names = ", ".join(table.name for table in db.metadata.sorted_tables)
    return text(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
