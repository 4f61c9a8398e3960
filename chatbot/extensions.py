"""Extensions, created unbound; `create_app` attaches them. Importing opens no connection."""
from flask_caching import Cache
import flask_compress
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from chatbot.redis_store import RedisStore

# Named constraints so that Alembic migrations can drop and alter them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()


class Compress(flask_compress.Compress):
    """Flask-Compress, except on a response whose view settled its encoding itself: a cached body is served as its
    gzip copy, made once per process (chatbot/blueprints/common.py `cached`), or as it is; the view sets the Vary
    header Flask-Compress would have added, the only thing it would have done there (gzip is its one algorithm)."""

    def after_request(self, response):
        """Flask-Compress's hook, skipped for a response marked `encoding_settled`."""
        if getattr(response, "encoding_settled", False):
            return response
        return super().after_request(response)


compress = Compress()
# Flask-Caching's RedisCache on the shared pool, with the `cache:` prefix and a JSON serializer
# (see chatbot/cache/backend.py).
cache = Cache()
# The one Redis pool of the process, shared by the cache, monitoring counters and locks.
redis_store = RedisStore()
# Security headers (Flask-Talisman, its headers precomputed): chatbot/security/headers.py.
