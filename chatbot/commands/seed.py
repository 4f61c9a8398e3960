"""flask seed demo (filled in by the seed work)."""
from flask.cli import AppGroup

seed_group = AppGroup("seed", help="Fill the database with realistic demo data.")
