"""Flask-Caching's RedisCache on our shared pool, storing JSON (never pickle: the Redis is shared,
and unpickling what another program wrote would run its code)."""
import json

from cachelib.serializers import BaseSerializer
from flask_caching.backends.rediscache import RedisCache

from chatbot.extensions import redis_store

KEY_PREFIX = "cache:"


class JsonSerializer(BaseSerializer):
    """Compact JSON bytes; anything else read back is treated as a miss."""

    def dumps(self, value, protocol=None):
        """Value -> bytes."""
        return json.dumps(value, separators=(",", ":"), default=str).encode()

    @staticmethod
    def stored(raw):
        """Are these bytes what we store (a JSON object), to be served as they are? Anything else is a miss.

        The first and last bytes only, not a parse (that would cost what serving the bytes saves): a pickle starts
        with \\x80, and whoever could write a well-formed object under our key could write false JSON as well.
        """
        return raw is not None and raw[:1] == b"{" and raw[-1:] == b"}"

    def loads(self, value):
        """Bytes -> value; None or garbage -> None (a miss)."""
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return None


def shared_redis_cache(app, config, args, kwargs):
    """CACHE_TYPE factory: a RedisCache whose client is the process's one pool."""
    kwargs.update(host=redis_store.client, key_prefix=config["CACHE_KEY_PREFIX"])
    backend = RedisCache(*args, **kwargs)
    backend.serializer = JsonSerializer()
    return backend
