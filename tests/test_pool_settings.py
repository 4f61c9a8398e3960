"""DATABASE_POOL_SIZE and DATABASE_MAX_OVERFLOW: the per-process connection cap an operator sizes against the plan."""
import pytest
from sqlalchemy.pool import QueuePool

from chatbot import create_app
from chatbot.config import from_env
from chatbot.extensions import db


def test_unset_keeps_sqlalchemys_defaults():
    """5 + 10 per process, with pre-ping."""
    assert from_env({}, "/srv")["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


@pytest.mark.postgresql_only
def test_set_caps_the_pool_of_each_process(database_url, redis_url, monkeypatch):
    """A dyno then opens at most WEB_CONCURRENCY x (size + overflow) connections."""
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, QueuePool) and (pool.size(), pool._max_overflow) == (2, 3)
        db.engine.dispose()
