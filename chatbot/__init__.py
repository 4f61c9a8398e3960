"""The WhatsApp campaign chatbot: `create_app` builds the Flask app as a list of named steps."""
import os

from flask import Flask

from chatbot import clock, config as settings
from chatbot.extensions import compress, db, migrate, redis_store


def create_app(config=None):
    """Build the app from the environment, then apply `config` (a mapping; tests pass one)."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_env(os.environ, app.instance_path))
    if config:
        app.config.from_mapping(config)
    settings.check(app.config, has_admin=lambda: _admin_exists(app))
    register_logging(app)
    register_extensions(app)
    register_cache(app)
    register_messaging(app)
    register_live(app)
    register_security(app)
    register_middleware(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_scheduler(app)
    return app


def _admin_exists(app):
    """Production may run without API_TOKEN once an active admin user exists."""
    from chatbot.services.accounts import admin_exists
    return admin_exists(app.config["SQLALCHEMY_DATABASE_URI"])


def register_logging(app):
    """Structured (JSON) logs on stderr, secrets masked."""
    from chatbot.logging import init_app
    init_app(app)


def register_extensions(app):
    """Bind the database, migrations, compression, the clock and the Redis pool."""
    clock.init_app(app)
    db.init_app(app)
    from chatbot import models  # noqa: F401  (the metadata Alembic compares with)
    from chatbot.models.events import init_app as init_db_events
    init_db_events(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    compress.init_app(app)
    redis_store.init_app(app, clock.get_clock(app))
    from chatbot import unit_of_work
    unit_of_work.init_app(app)
    from chatbot import disconnects
    disconnects.init_app(app)


def register_cache(app):
    """Flask-Caching on the shared pool, plus the cache metrics."""
    from chatbot.cache import init_app
    init_app(app)


def register_messaging(app):
    """The pipeline's effects: the daily counters of every committed write."""
    from chatbot.messaging import init_app
    init_app(app)


def register_live(app):
    """Push every committed write to the open dashboards (Redis Pub/Sub, Server-Sent Events)."""
    from chatbot import live
    live.init_app(app)


def register_security(app):
    """Client address behind proxies, security headers, failure limits (before auth: its checks use them)."""
    from chatbot.security import init_app
    init_app(app)


def register_middleware(app):
    """Server-Timing, request logs, authentication and roles; the audit of every write; open until a user exists."""
    from chatbot import auth, timing
    from chatbot.services import audit, credentials
    timing.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    credentials.init_app(app)


def register_blueprints(app):
    """One blueprint per resource, under /api; the dashboard at /."""
    from chatbot.blueprints import init_app
    init_app(app)


def register_errorhandlers(app):
    """Every error as the contract's JSON envelope."""
    from chatbot.blueprints.errors import init_app
    init_app(app)


def register_commands(app):
    """The CLI groups of the contract."""
    from chatbot.commands import init_app
    init_app(app)


def register_scheduler(app):
    """Start the in-process scheduler (web processes only; see chatbot/scheduler)."""
    from chatbot.scheduler import init_app
    init_app(app)
