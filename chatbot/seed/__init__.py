"""The demo seeder (`flask seed demo`), in the order it runs.

1. `plan`: the people (contacts, their categories) and the calendar of campaign launches; `data`: the
   names, phone plans, campaign themes and replies it draws from.
2. `timeline`: what happened to each message (sent, delivered, read, answered, failed, swept).
3. `rows`: those records as table rows; `writer`: written in bulk (COPY on PostgreSQL, executemany on
   SQLite) inside the one unit of work of `demo.seed_demo`, which also recomputes the campaigns' counters.
"""
from chatbot.seed.demo import seed_demo
from chatbot.seed.plan import SeedError

__all__ = ["SeedError", "seed_demo"]
