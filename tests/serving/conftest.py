"""One web dyno for the serving tests: the Procfile's `web` command, 2 workers, on PostgreSQL and Redis."""
import pytest

from tests.conftest import REDIS_URL
from tests.serving.dyno import WebDyno


@pytest.fixture(scope="module")
def dyno(pg_url):
    """The production serving model (gunicorn.conf.py), scheduler on, no token (the API open, as in development)."""
    server = WebDyno({"DATABASE_URL": pg_url, "REDIS_URL": REDIS_URL, "SCHEDULER_ENABLED": "true"}).start()
    try:
        yield server
    finally:
        server.stop()
