"""One web dyno for the serving tests: the Procfile's `web` command, 2 workers, on PostgreSQL and Redis."""
import pytest

from tests.conftest import REDIS_URL
from fakes.dyno import TOKEN, WebDyno


@pytest.fixture(scope="module")
def dyno(pg_url):
    """The production serving model (gunicorn.conf.py), scheduler on, API_TOKEN set (the webhook stays public)."""
    server = WebDyno({"DATABASE_URL": pg_url, "REDIS_URL": REDIS_URL, "SCHEDULER_ENABLED": "true",
                      "API_TOKEN": TOKEN}).start()
    try:
        yield server
    finally:
        server.stop()
