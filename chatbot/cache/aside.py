"""Cache-aside that stays right under concurrency.

Read:  MGET value, generation              -> 1 command on a hit, no write; the stored JSON bytes are served
       as they are (serialised once, when stored), never decoded nor re-encoded per hit. A bearer request's
       failure-limit counter rides in the same MGET (chatbot/security/folded.py). With CACHE_LOCAL_COPY, a hit this
       process keeps (chatbot/cache/local.py) costs no command at all.
Miss:  SET lock NX (one recomputer), compute from the database, then a script stores the value
       only if the generation is still the one read before computing.
Write: after the commit, one script gives each key a new (random) generation and unlinks its value (then, with
       local copies on, every process drops its copies before the write answers).

A reader that computed from data older than a commit therefore cannot store it after the
writer's invalidation: the generation moved, and the store is refused (the classic race).
Generations are random tokens, not counters, so a flush that deletes them cannot bring an old
generation back (A-B-A).
"""
import logging
import time
import uuid

import redis
from flask import has_app_context
from sqlalchemy.exc import SQLAlchemyError

from chatbot.cache import durable, keys, prefetch
from chatbot.redis_store import RedisUnavailable
from chatbot.security import folded

log = logging.getLogger("chatbot.cache")

HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"

# KEYS: value, generation, lock. ARGV: generation read before computing, value, ttl, lock token.
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

# KEYS: value1, gen1, value2, gen2, ...; ARGV: new generation, generation TTL.
# Values first: UNLINK still works on a Redis out of memory, where SET fails and aborts the script.
INVALIDATE = """
for i = 1, #KEYS, 2 do redis.call('UNLINK', KEYS[i]) end
for i = 1, #KEYS, 2 do redis.call('SET', KEYS[i + 1], ARGV[1], 'EX', ARGV[2]) end
return #KEYS / 2
"""

# KEYS: lock. ARGV: token. Only the holder releases (its lock may have expired and been re-taken).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

GENERATION_TTL = 86400       # far longer than any recomputation
LOCK_MS = 5000               # a recomputation that takes longer lets another process try
WAIT_STEP, WAIT_STEPS = 0.02, 25  # others wait up to ~0.5 s for the recomputed value
WATCH_MARGIN = 5.0           # seconds beyond the longest breaker cool-down: a probe's own timeouts


class CacheAside:
    """Get-or-compute and exact invalidation over the shared Redis."""

    def __init__(self, store, backend, metrics, ttl, clock):
        self.store = store
        self.prefix = backend.key_prefix
        self.serializer = backend.serializer
        self.metrics = metrics
        self.ttl = ttl
        self.clock = clock
        self.dirty = False         # the record must be applied before the next read
        self.recoveries = 0        # outages this process has seen end
        self.watch_until = None    # monotonic time until which reads check the record
        self.watch_seconds = store.breaker.max_cooldown + WATCH_MARGIN
        self._store_script = store.client.register_script(STORE_IF_CURRENT)
        self._invalidate_script = store.client.register_script(INVALIDATE)
        self._release_script = store.client.register_script(RELEASE)
        self.local = None          # this process's copies (chatbot/cache/local.py) when CACHE_LOCAL_COPY is on
        store.on_recovery(self._on_recovery)

    def _timed(self, op, key, fn):
        """Run a Redis call through the breaker, recording its latency (or error) and a DEBUG line."""
        started = time.perf_counter()
        try:
            result = self.store.call(fn)
        except (RedisUnavailable, redis.exceptions.RedisError) as exc:
            self.metrics.error(op)
            log.debug("cache %s %s failed: %s", op, key, exc, extra={"op": op, "key": key})
            if isinstance(exc, RedisUnavailable):
                raise
            # Redis answered with an error (OOM, read-only replica...): serve from the database.
            log.warning("cache %s failed: %s", op, exc, extra={"op": op, "key": key})
            raise RedisUnavailable(str(exc)) from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.metrics.latency(op, elapsed_ms / 1000)
        log.debug("cache %s %s %.3f ms", op, key, elapsed_ms,
                  extra={"op": op, "key": key, "duration_ms": round(elapsed_ms, 3)})
        return result

    def get_or_compute(self, key, compute):
        """(value, HIT|MISS|BYPASS): `get_or_compute_json`'s bytes decoded (for callers that need the value)."""
        body, status = self.get_or_compute_json(key, compute)
        return self.serializer.loads(body), status

    def get_or_compute_json(self, key, compute):
        """(JSON bytes, HIT|MISS|BYPASS): on a hit the stored bytes as they are, never decoded nor re-encoded (the
        view serves them); else `compute()`'s value serialised once, stored if still current, and those bytes."""
        limit_key = folded.counter_key()  # the bearer's failure limit, read in the same round trip
        copy = self.local.get(key, limit_key) if self.local else None
        if copy is not None:  # this process's copy (chatbot/cache/local.py): no round trip
            folded.settle_locally()
            self.metrics.hit()
            return copy, HIT
        names, epoch = self.names(key, limit_key), self.local.epoch if self.local else None
        try:
            values = prefetch.take(names)  # the fast path read them for this request (chatbot/blueprints/fast.py)
            if values is None:
                values = self._read(key, names)
                if self.local and self.serializer.stored(values[0]):
                    self.local.keep(key, values[0], epoch)
        except RedisUnavailable:
            folded.settle_apart()  # on the limit's fallback, before anything is computed or served
            return self.serializer.dumps(compute()), BYPASS
        raw, generation = values[0], values[1]
        if limit_key is not None:
            folded.settle(values[2])  # 429 before anything is computed or served
        if self.serializer.stored(raw):
            self.metrics.hit()
            return raw, HIT
        self.metrics.miss()
        return self._recompute(key, generation, compute), MISS

    def names(self, key, limit_key=None):
        """The Redis names a read of `key` MGETs: value, generation, and the failure counter if one rides along."""
        names = [self.prefix + key, self.prefix + keys.generation(key)]
        return names if limit_key is None else names + [limit_key]

    def _read(self, key, names):
        """One MGET of `names`, after applying the record when it must be; again if Redis came back meanwhile."""
        if self._must_check():
            self.drain()
        recoveries = self.recoveries
        values = self._timed("get", key, lambda r: r.mget(names))
        if self.recoveries != recoveries or self.dirty:
            # Redis came back during that very read: what it returned may predate writes on record.
            if self._must_check():
                self.drain()
            values = self._timed("get", key, lambda r: r.mget(names))
        return values

    def read_plain(self, key, names):
        """The fast path's MGET: its values, or None when the record is to be applied first (left to `_read`).
        Raises RedisUnavailable (the breaker, or this very read, failed)."""
        if self._must_check():
            return None
        recoveries = self.recoveries
        values = self._timed("get", key, lambda r: r.mget(names))
        return values if self.recoveries == recoveries and not self.dirty else None

    def _recompute(self, key, generation, compute):
        """One process recomputes; the others wait briefly for its value, then compute themselves."""
        token = uuid.uuid4().hex
        lock_key = self.prefix + keys.lock(key)
        try:
            leader = self._timed("lock", key, lambda r: r.set(lock_key, token, nx=True, px=LOCK_MS))
            if not leader:
                waited = self._wait_for(key)
                if waited is not None:
                    return waited
        except RedisUnavailable:
            return self.serializer.dumps(compute())
        started = time.perf_counter()
        try:
            value = compute()
        except BaseException:
            if leader:
                self._release(key, lock_key, token)  # e.g. a 404: do not make the next readers wait
            raise
        compute_ms = round((time.perf_counter() - started) * 1000, 3)
        # One INFO line per miss: what an operator needs to see why a page was slow.
        log.info("cache miss %s recomputed in %.3f ms", key, compute_ms, extra={"key": key, "compute_ms": compute_ms})
        data = self.serializer.dumps(value)
        self._store(key, generation, data, lock_key, token)
        return data

    def _store(self, key, generation, data, lock_key, token):
        """Store `data` (JSON bytes) only if `key`'s generation has not moved since it was read; free the lock."""
        expected = (generation or b"").decode()
        try:
            stored = self._timed("set", key, lambda r: self._store_script(
                keys=[self.prefix + key, self.prefix + keys.generation(key), lock_key],
                args=[expected, data, self.ttl, token], client=r))
        except RedisUnavailable:
            return
        if not stored:
            log.debug("cache store of %s refused: invalidated while computing", key, extra={"key": key})

    def _release(self, key, lock_key, token):
        """Free the recompute lock if we still hold it."""
        try:
            self._timed("unlock", key, lambda r: self._release_script(keys=[lock_key], args=[token], client=r))
        except RedisUnavailable:
            pass

    def _wait_for(self, key):
        """Poll for the leader's bytes; None if its lock goes away without them, or in time."""
        full, lock_key = self.prefix + key, self.prefix + keys.lock(key)
        for _ in range(WAIT_STEPS):
            time.sleep(WAIT_STEP)
            raw, holder = self._timed("get", key, lambda r: r.mget(full, lock_key))
            if self.serializer.stored(raw):
                return raw
            if holder is None:
                return None  # the leader failed or its store was refused: compute ourselves
        return None

    def invalidate(self, cache_keys):
        """Drop these exact keys everywhere, in one round trip. Call only after the commit.

        Redis away: the keys go on record in the database (chatbot/cache/durable.py), unless the write's
        own transaction already put them there; every process applies the record before trusting Redis.
        """
        recorded = durable.take_recorded_flag()
        cache_keys = set(cache_keys)
        if not cache_keys:
            return
        try:
            self._run_invalidation(sorted(cache_keys))
        except RedisUnavailable:
            log.warning("cache invalidation on record: redis unavailable", extra={"keys": sorted(cache_keys)})
            if not recorded:
                durable.record(cache_keys)

    def _run_invalidation(self, cache_keys):
        """One script call: new generation for each key, value unlinked."""
        args = []
        for key in cache_keys:
            args += [self.prefix + key, self.prefix + keys.generation(key)]
        generation = uuid.uuid4().hex
        try:
            self._timed("invalidate", ",".join(cache_keys), lambda r: self._invalidate_script(
                keys=args, args=[generation, GENERATION_TTL], client=r))
        except RedisUnavailable:
            if self.local:
                self.local.outage_wait()  # copies elsewhere cannot be told: their leases run out first
            raise
        if self.local:
            self.local.announce(cache_keys)  # every process's copy dropped before the write answers

    def _on_recovery(self):
        """Redis is back: apply the record now if we can, and check it before every read for a while.

        Another process may still hold its breaker open (up to its longest cool-down) and put its writes
        on record instead of delivering them: until it has probed, hits are checked against the record.
        """
        self.recoveries += 1
        self.dirty = True
        self.watch_until = self.clock.monotonic() + self.watch_seconds
        if has_app_context():
            try:
                self.drain()
            except (RedisUnavailable, SQLAlchemyError):
                log.warning("cache: invalidations on record not applied yet", exc_info=True)

    def _must_check(self):
        """Is the record to be applied before the next read?"""
        return self.dirty or (self.watch_until is not None and self.clock.monotonic() < self.watch_until)

    def drain(self):
        """Drop in Redis every invalidation on record, then forget those rows; raises RedisUnavailable."""
        self.dirty = False  # first: a recovery signalled while draining makes the next read drain again
        try:
            while True:
                last_id, cache_keys = durable.pending()
                if last_id is None:
                    return
                self._run_invalidation(cache_keys)
                durable.forget(last_id)
                log.info("cache: %d invalidations on record applied", len(cache_keys))
        except BaseException:
            self.dirty = True
            raise

    def flush(self, namespace=None):
        """Delete `cache:<namespace>:*` (or all of `cache:*`) with SCAN + UNLINK; returns the count."""
        return self._timed("flush", namespace or "*", lambda r: durable.scan_unlink(r, self.prefix, namespace))
