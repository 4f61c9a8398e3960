"""Cache metrics counted across every process sharing the Redis, at a bounded cost.

Each process counts in memory and adds its counts to two Redis hashes in one script call
every CACHE_METRICS_FLUSH_SECONDS (from a background thread, so a cached read never writes).
Latencies go into a fixed histogram, so p50/p95 merge exactly across processes.
"""
import atexit
import logging
import threading

from chatbot.redis_store import RedisUnavailable

log = logging.getLogger("chatbot.cache")

COUNTERS_KEY = "cache:metrics"
HISTOGRAM_KEY = "cache:metrics:latency"
BUCKETS_MS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, float("inf"))

# KEYS: counters, histogram. ARGV: since, hits, misses, errors, count, sum_us, max_us, then bucket/count pairs.
FLUSH = """
redis.call('HSETNX', KEYS[1], 'since', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'hits', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'misses', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'errors', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'count', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'sum_us', ARGV[6])
local max = tonumber(redis.call('HGET', KEYS[1], 'max_us') or '0')
if tonumber(ARGV[7]) > max then redis.call('HSET', KEYS[1], 'max_us', ARGV[7]) end
for i = 8, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
"""


def bucket_of(ms):
    """The label of the first bucket holding `ms`."""
    for bound in BUCKETS_MS:
        if ms <= bound:
            return "inf" if bound == float("inf") else str(bound)
    return "inf"


class CacheMetrics:
    """Local counters, flushed in batches; a snapshot merges every process's counts."""

    def __init__(self, store, clock, flush_seconds=5.0, window_seconds=60.0, min_lookups=20):
        self.store, self.clock = store, clock
        self.flush_seconds = flush_seconds
        self.window_seconds, self.min_lookups = window_seconds, min_lookups
        self._lock = threading.Lock()
        self._reset_local()
        self._window_start, self._window_hits, self._window_misses = clock.monotonic(), 0, 0
        self._warned = False
        self._thread = None
        self._stop = threading.Event()
        self._script = store.client.register_script(FLUSH)

    def _reset_local(self):
        """Zero this process's unflushed counts."""
        self.hits = self.misses = self.errors = self.count = self.sum_us = self.max_us = 0
        self.buckets = {}

    def hit(self):
        """A lookup served from Redis."""
        with self._lock:
            self._roll_window()
            self.hits += 1
            self._window_hits += 1
        self._ensure_thread()

    def miss(self):
        """A lookup that went to the database; may warn when misses dominate the window."""
        with self._lock:
            self._roll_window()
            self.misses += 1
            self._window_misses += 1
            warn = self._check_window()
        if warn:
            log.warning("cache miss ratio above 50%%: %(misses)d misses in %(lookups)d lookups", warn, extra=warn)
        self._ensure_thread()

    def _roll_window(self):
        """Start a new window once the current one is over (every lookup, hit or miss, checks)."""
        now = self.clock.monotonic()
        if now - self._window_start >= self.window_seconds:
            self._window_start, self._window_hits, self._window_misses = now, 0, 0
            self._warned = False

    def _check_window(self):
        """The figures to warn about, at most once per window; None otherwise."""
        lookups = self._window_hits + self._window_misses
        if self._warned or lookups < self.min_lookups or self._window_misses * 2 <= lookups:
            return None
        self._warned = True
        return {"misses": self._window_misses, "lookups": lookups, "window_s": self.window_seconds}

    def error(self, op):
        """A Redis call that failed or was skipped by the breaker."""
        with self._lock:
            self.errors += 1

    def latency(self, op, seconds):
        """The duration of one Redis round trip."""
        us = int(seconds * 1_000_000)
        label = bucket_of(seconds * 1000)
        with self._lock:
            self.count += 1
            self.sum_us += us
            self.max_us = max(self.max_us, us)
            self.buckets[label] = self.buckets.get(label, 0) + 1

    def flush(self):
        """Add this process's counts to Redis in one call; keeps them if Redis is away."""
        with self._lock:
            batch = (self.hits, self.misses, self.errors, self.count, self.sum_us, self.max_us, self.buckets)
            self._reset_local()
        if not any(batch[:4]):
            return
        since = self.clock.now().isoformat().replace("+00:00", "Z")
        args = [since, *batch[:6]]
        for label, n in batch[6].items():
            args += [label, n]
        try:
            self.store.call(lambda r: self._script(keys=[COUNTERS_KEY, HISTOGRAM_KEY], args=args, client=r))
        except RedisUnavailable:
            self._merge_back(batch)

    def _merge_back(self, batch):
        """Put back counts that could not be flushed (Redis away): sent with the next flush."""
        with self._lock:
            self.hits += batch[0]
            self.misses += batch[1]
            self.errors += batch[2]
            self.count += batch[3]
            self.sum_us += batch[4]
            self.max_us = max(self.max_us, batch[5])
            for label, n in batch[6].items():
                self.buckets[label] = self.buckets.get(label, 0) + n

    def _ensure_thread(self):
        """Start the flusher on first use (never at import, never when flush_seconds is 0)."""
        if self._thread is not None or not self.flush_seconds or self._stop.is_set():
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cache-metrics", daemon=True)
                self._thread.start()
                atexit.register(self.flush)  # a worker that exits keeps its last counts

    def stop(self):
        """Stop the flusher thread after one last flush (tests, shutdown)."""
        self._stop.set()
        self.flush()

    def _run(self):
        """The flusher thread's loop."""
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception:  # never let the flusher die
                log.exception("cache metrics flush failed")

    def snapshot(self, backend_name="redis"):
        """The contract's metrics, merged across processes (flushes this process first).

        With Redis away, this process's own unflushed counts (errors among them) are shown instead.
        """
        self.flush()
        try:
            counters, histogram = self.store.call(lambda r: _read_both(r))
            available = True
        except RedisUnavailable:
            counters, histogram, available = self._local(), dict(self.buckets), False
        return summarize(counters, histogram, available, backend_name)

    def _local(self):
        """This process's unflushed counters, shaped like the Redis hash."""
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "errors": self.errors, "count": self.count,
                    "sum_us": self.sum_us, "max_us": self.max_us, "since": None}


def _read_both(r):
    """Both metrics hashes in one round trip."""
    pipe = r.pipeline(transaction=False)
    pipe.hgetall(COUNTERS_KEY)
    pipe.hgetall(HISTOGRAM_KEY)
    counters, histogram = pipe.execute()
    return ({k.decode(): v.decode() for k, v in counters.items()},
            {k.decode(): int(v) for k, v in histogram.items()})


def percentile(histogram, fraction):
    """Upper bound (ms) of the bucket holding that fraction of the samples."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    seen = 0
    for bound in BUCKETS_MS:
        label = "inf" if bound == float("inf") else str(bound)
        seen += histogram.get(label, 0)
        if seen >= fraction * total:
            return bound if bound != float("inf") else BUCKETS_MS[-2]
    return BUCKETS_MS[-2]


def summarize(counters, histogram, available, backend_name):
    """Shape the contract's cache metrics."""
    hits, misses = int(counters.get("hits", 0)), int(counters.get("misses", 0))
    count = int(counters.get("count", 0))
    lookups = hits + misses
    return {
        "backend": backend_name,
        "available": available,
        "hits": hits,
        "misses": misses,
        "hit_ratio": round(hits / lookups, 4) if lookups else 0.0,
        "errors": int(counters.get("errors", 0)),
        "latency_ms": {
            "avg": round(int(counters.get("sum_us", 0)) / count / 1000, 3) if count else 0.0,
            "p50": percentile(histogram, 0.50),
            "p95": percentile(histogram, 0.95),
            "max": round(int(counters.get("max_us", 0)) / 1000, 3),
        },
        "since": counters.get("since"),
    }
