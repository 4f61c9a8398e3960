"""Shared by the benchmarks: the repository root, and emptying our tables with the names taken from the
models (a new table is never forgotten)."""
import os

from sqlalchemy import text

import chatbot.models  # noqa: F401  (registers every table in the metadata)
from chatbot.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def truncate_all():
    """TRUNCATE every table of ours, ids restarted (PostgreSQL)."""
    names = ", ".join(table.name for table in db.metadata.sorted_tables)
    return text(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
