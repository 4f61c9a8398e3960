"""Cache-aside that stays right under concurrency.

Read:  MGET value, generation              -> 1 command on a hit, no write.
Miss:  SET lock NX (one recomputer), compute from the database, then a script stores the value
       only if the generation is still the one read before computing.
Write: after the commit, one script bumps each key's generation and unlinks its value.

A reader that computed from data older than a commit therefore cannot store it after the
writer's invalidation: the generation moved, and the store is refused (the classic race).
"""
import logging
import time
import uuid

from chatbot.cache import keys
from chatbot.redis_store import RedisUnavailable

log = logging.getLogger("chatbot.cache")

HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"

STORE_IF_CURRENT = """
local current = redis.call('GET', KEYS[2]) or ''
local stored = 0
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  stored = 1
end
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return stored
"""

# KEYS: value1, gen1, value2, gen2, ...; ARGV[1]: generation TTL.
INVALIDATE = """
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
  redis.call('UNLINK', KEYS[i])
end
return #KEYS / 2
"""

GENERATION_TTL = 86400       # far longer than any recomputation
LOCK_MS = 5000               # a recomputation that takes longer lets another process try
WAIT_STEP, WAIT_STEPS = 0.02, 25  # others wait up to ~0.5 s for the recomputed value


class CacheAside:
    """Get-or-compute and exact invalidation over the shared Redis."""

    def __init__(self, store, backend, metrics, ttl):
        self.store = store
        self.prefix = backend.key_prefix
        self.serializer = backend.serializer
        self.metrics = metrics
        self.ttl = ttl
        self.pending = set()  # invalidations that failed while Redis was away
        self._store_script = store.client.register_script(STORE_IF_CURRENT)
        self._invalidate_script = store.client.register_script(INVALIDATE)

    def _timed(self, op, fn):
        """Run a Redis call through the breaker, recording its latency and errors."""
        started = time.perf_counter()
        try:
            result = self.store.call(fn)
        except RedisUnavailable:
            self.metrics.error(op)
            raise
        elapsed = time.perf_counter() - started
        self.metrics.latency(op, elapsed)
        log.debug("cache %s", op, extra={"op": op, "duration_ms": round(elapsed * 1000, 3)})
        return result

    def get_or_compute(self, key, compute):
        """(value, HIT|MISS|BYPASS): from Redis, else from `compute()` (stored when still current)."""
        full = self.prefix + key
        try:
            self._replay_pending()
            raw, generation = self._timed("get", lambda r: r.mget(full, self.prefix + keys.generation(key)))
        except RedisUnavailable:
            return compute(), BYPASS
        value = self.serializer.loads(raw)
        if value is not None:
            self.metrics.hit()
            return value, HIT
        self.metrics.miss()
        return self._recompute(key, generation, compute), MISS

    def _recompute(self, key, generation, compute):
        """One process recomputes; the others wait briefly for its value, then compute themselves."""
        full, token = self.prefix + key, uuid.uuid4().hex
        lock_key = self.prefix + keys.lock(key)
        try:
            leader = self._timed("lock", lambda r: r.set(lock_key, token, nx=True, px=LOCK_MS))
            if not leader:
                waited = self._wait_for(full)
                if waited is not None:
                    return waited
        except RedisUnavailable:
            return compute()
        value = compute()
        expected = (generation or b"").decode()
        try:
            self._timed("set", lambda r: self._store_script(
                keys=[full, self.prefix + keys.generation(key), lock_key],
                args=[expected, self.serializer.dumps(value), self.ttl, token], client=r))
        except RedisUnavailable:
            pass
        return value

    def _wait_for(self, full):
        """Poll for the leader's value; None if it does not come in time."""
        for _ in range(WAIT_STEPS):
            time.sleep(WAIT_STEP)
            value = self.serializer.loads(self._timed("get", lambda r: r.get(full)))
            if value is not None:
                return value
        return None

    def invalidate(self, cache_keys):
        """Drop these exact keys everywhere, in one round trip. Call only after the commit."""
        cache_keys = sorted(set(cache_keys))
        if not cache_keys:
            return
        try:
            self._replay_pending()
            self._run_invalidation(cache_keys)
        except RedisUnavailable:
            # Remembered and replayed before this process reads the cache again.
            self.pending.update(cache_keys)
            log.warning("cache invalidation deferred: redis unavailable", extra={"keys": cache_keys})

    def _run_invalidation(self, cache_keys):
        args = []
        for key in cache_keys:
            args += [self.prefix + key, self.prefix + keys.generation(key)]
        self._timed("invalidate", lambda r: self._invalidate_script(keys=args, args=[GENERATION_TTL], client=r))

    def _replay_pending(self):
        """Apply invalidations that failed during an outage, before trusting the cache again."""
        if self.pending:
            batch = sorted(self.pending)
            self._run_invalidation(batch)
            self.pending.difference_update(batch)

    def flush(self, namespace=None):
        """Delete `cache:<namespace>:*` (or all of `cache:*`) with SCAN + UNLINK; returns the count."""
        pattern = self.prefix + (f"{namespace}:*" if namespace else "*")

        def scan_unlink(r):
            deleted = 0
            batch = []
            for name in r.scan_iter(match=pattern, count=1000):
                batch.append(name)
                if len(batch) >= 500:
                    deleted += _unlink(r, batch)
                    batch = []
            return deleted + _unlink(r, batch)

        return self._timed("flush", scan_unlink)


def _unlink(r, names):
    """UNLINK a batch in one pipeline."""
    if not names:
        return 0
    pipe = r.pipeline(transaction=False)
    pipe.unlink(*names)
    return sum(pipe.execute())
