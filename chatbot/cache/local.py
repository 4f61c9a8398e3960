"""A per-process copy of cached entries, served without a Redis round trip, exact across processes (CACHE_LOCAL_COPY).

Read your writes holds because a write does not answer before every process that may serve a copy has dropped it:
- Members. A process serves copies only as a member: its subscriber (one thread, a greenlet under gevent) holds a
  Pub/Sub connection to `<LIVE_CHANNEL>:cache` and a lease in Redis, `cache:local:member:<id>` with a TTL (PX), listed
  in the set `cache:local:members`. It registers after its subscription is confirmed, then empties its copy, then
  serves until `sent + lease - margin` by its own monotonic clock, where `sent` is when it sent the command that
  granted the lease (Redis set the TTL later: the copy stops first). Every LEASE/4 it PINGs on the subscription;
  the PONG comes behind every message published before it, all of them handled; only then it renews (PEXPIRE,
  which fails once the key is gone: then it leaves, empties its copy and registers anew).
- Writers. After the commit and the invalidation in Redis (chatbot/cache/aside.py), a writer drops its own copies,
  then one script PUBLISHes {nonce, keys} and lists the live members with their remaining TTLs, atomically; it
  waits (CACHE_LOCAL_ACK_SECONDS) for each other member's ack (RPUSH on `cache:local:ack:<nonce>`, BLPOPed). A
  subscriber drops the keys first, then acks. A member that does not ack in time is fenced (its lease key and
  set entry deleted in one MULTI, reading its TTL): it can no longer renew, and the writer sleeps out that TTL,
  after which the member has stopped serving by its own clock. Only then does the write answer.
- Fills. A copy is taken only from a Redis hit (bytes stored under the generation check), and only if no
  invalidation was handled between before the MGET and the keep (`epoch`): a read that raced a write cannot
  store what it read before the write's invalidation. Values computed on a miss are never kept.
- The failure limit. A bearer's limit check rides in the cache's MGET (chatbot/security/folded.py); a copy skips
  the MGET, so the address that uses up its failures is announced too (same acks; kept in `cache:local:limited`
  for processes that register later): until its window ends, that address's reads take the Redis path, whose
  check is exact. A right token racing the failure that exhausts the limit may be served, as it may be without
  copies (the check and the count were never one step).
Edge cases:
- Connection lost: the subscriber stops serving at once (lease cleared), reconnects with backoff, registers, empties.
  What was published meanwhile is not lost to it: it holds no copy until it has registered again and emptied.
- Stalled subscriber (a stopped process, a starved thread): no PONG, no renewal: its lease runs out by its own
  clock; writers that missed its ack fence it and wait out its TTL.
- Redis down: renewals fail, every lease runs out within CACHE_LOCAL_LEASE_SECONDS (reads go to the database,
  degraded mode); a writer that cannot announce waits until a lease out from the first failure it saw.
  As for the record of invalidations (chatbot/cache/durable.py), a Redis reachable by some processes and not by
  others, or one that loses keys while subscriptions stay up (eviction of `cache:local:*`), is not covered.
- Process start: no copy until registered; writes meanwhile are in Redis, which the fills read.
- A flush (`flask cache flush`) deletes Redis entries; copies hold values no write has changed, dropped by the
  next write.
"""
import json
import logging
import threading
import time
import uuid

import redis

from chatbot.redis_store import RedisUnavailable

log = logging.getLogger("chatbot.cache")

MEMBERS = "cache:local:members"
MEMBER = "cache:local:member:"
ACK = "cache:local:ack:"
LIMITED = "cache:local:limited"
MARGIN = 0.05            # seconds a copy stops before its lease, for clock rates and the TTL's millisecond rounding
RETRY_SECONDS = (0.1, 0.5, 1, 2, 5)
ERRORS = (RedisUnavailable, redis.exceptions.RedisError, OSError)

# KEYS: members set. ARGV: channel, message, member key prefix. PUBLISH, then the live members and their TTLs (ms).
ANNOUNCE = """
redis.call('PUBLISH', ARGV[1], ARGV[2])
local live = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local ttl = redis.call('PTTL', ARGV[3] .. id)
  if ttl > 0 then table.insert(live, id); table.insert(live, ttl) else redis.call('SREM', KEYS[1], id) end
end
return live
"""


class LocalCopy:
    """This process's copies, its membership (subscriber thread) and its side of every write's announcement."""

    def __init__(self, store, channel, lease, ack_seconds):
        self.store, self.channel, self.lease, self.ack_seconds = store, channel, lease, ack_seconds
        self.member = uuid.uuid4().hex
        self.entries = {}
        self.limited = {}      # failure counter key -> epoch seconds until which its reads take the Redis path
        self.epoch = 0         # bumped by every drop: a fill that saw it move does not keep what it read
        self.until = 0.0       # monotonic time until which copies may be served (0: not a member)
        self.failed_at = None  # monotonic time of the first failure of an outage this process saw
        self._lock = threading.Lock()
        self._thread = None
        self._stop = threading.Event()
        self._announce = store.client.register_script(ANNOUNCE)

    # Readers.
    def get(self, key, limit_key=None):
        """The copy of `key` if this process may serve it now (and the bearer's address is not limited), else None."""
        if time.monotonic() >= self.until:
            return None
        if limit_key is not None and self.limited.get(limit_key, 0) > time.time():
            return None
        return self.entries.get(key)

    def keep(self, key, raw, epoch):
        """Keep the bytes of a Redis hit read after `epoch` was taken, unless an invalidation came in between."""
        with self._lock:
            if epoch == self.epoch and time.monotonic() < self.until:
                self.entries[key] = raw

    def _drop(self, keys=None):
        """Drop these copies (None: all) and move the epoch."""
        with self._lock:
            self.epoch += 1
            if keys is None:
                self.entries.clear()
            else:
                for key in keys:
                    self.entries.pop(key, None)

    # Writers.
    def announce(self, keys=(), limited=None):
        """After an invalidation in Redis: every member has dropped `keys` (or learnt `limited`) when this returns."""
        self._drop(list(keys))
        message = json.dumps({"n": uuid.uuid4().hex, "k": list(keys), "l": limited}, separators=(",", ":"))
        try:
            live = self._call(lambda r: self._announce(keys=[MEMBERS], args=[self.channel, message, MEMBER], client=r))
            others = {live[i].decode(): live[i + 1] for i in range(0, len(live), 2) if live[i].decode() != self.member}
            if others:
                self._await(json.loads(message)["n"], others)
        except ERRORS:
            self.outage_wait()

    def _await(self, nonce, others):
        """Each other member's ack, or its fence and the rest of its lease."""
        deadline = time.monotonic() + self.ack_seconds
        block = max(0.01, self.store.pool.connection_kwargs.get("socket_timeout", 0.5) / 2)
        while others and time.monotonic() < deadline:
            wait = min(block, max(0.01, deadline - time.monotonic()))
            popped = self._call(lambda r: r.blpop([ACK + nonce], timeout=wait))
            if popped:
                others.pop(popped[1].decode(), None)
        if others:
            self._fence(others)

    def _fence(self, members):
        """Delete the leases of members that did not ack (no renewal after this), then sleep out what they had."""
        def fence(r):
            pipe = r.pipeline(transaction=True)
            for member in members:
                pipe.pttl(MEMBER + member).delete(MEMBER + member).srem(MEMBERS, member)
            return pipe.execute()
        ttls = self._call(fence)[0::3]
        wait = max([ttl for ttl in ttls if ttl > 0] or [0]) / 1000 + MARGIN
        log.warning("cache: %d local copies did not acknowledge; fenced, waited %.2f s", len(members), wait)
        time.sleep(wait)

    def outage_wait(self):
        """Redis could not be told: wait until every lease granted before the outage has run out."""
        if self.failed_at is None:
            self.failed_at = time.monotonic()
        time.sleep(max(0.0, self.failed_at + self.lease + MARGIN - time.monotonic()))

    def _call(self, fn):
        """A Redis call through the breaker, noting when an outage began and when it ended."""
        try:
            result = self.store.call(fn)
        except ERRORS:
            if self.failed_at is None:
                self.failed_at = time.monotonic()
            raise
        self.failed_at = None
        return result

    # Membership.
    def start(self):
        """Start the subscriber (once per process): copies are served once it has registered."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cache-local-copy", daemon=True)
            self._thread.start()

    def stop(self):
        """Stop serving copies, end the subscriber and leave (a worker's exit): writers no longer wait for it."""
        self._stop.set()
        self.until = 0.0
        try:
            self._call(lambda r: r.pipeline(transaction=True).delete(MEMBER + self.member).srem(MEMBERS, self.member)
                       .execute())
        except ERRORS:
            pass  # its lease runs out on its own

    def _run(self):
        """Subscribe, register, relay; after any failure stop serving, back off, and start over."""
        failures = 0
        while not self._stop.is_set():
            try:
                self._session()
            except Exception as exc:  # noqa: BLE001  Redis errors, a fence, a socket closed under it: never die
                self.until = 0.0
                self._drop()
                log.warning("cache: local copy off (%s: %s)", exc.__class__.__name__, exc)
                self._stop.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1
                continue
            failures = 0

    def _session(self):
        """One subscription's life: returns when stopped, raises when it must start over."""
        pubsub = self.store.client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            self._expect(pubsub, "subscribe", time.monotonic() + self.lease)
            sent = time.monotonic()
            self._register()
            self._drop()
            self.until = sent + self.lease - MARGIN
            while not self._stop.is_set():
                self._renew(pubsub)
        finally:
            self.until = 0.0
            pubsub.close()

    def _register(self):
        """Lease and set entry in one MULTI; the limited addresses announced before this subscription."""
        def register(r):
            pipe = r.pipeline(transaction=True)
            pipe.sadd(MEMBERS, self.member).set(MEMBER + self.member, 1, px=int(self.lease * 1000)).hgetall(LIMITED)
            return pipe.execute()
        limited = self._call(register)[2]
        self.limited = {key.decode(): float(until) for key, until in limited.items()}

    def _renew(self, pubsub):
        """Relay messages for a quarter lease, then PING; at its PONG (all before it handled) renew the lease."""
        quiet_until = time.monotonic() + self.lease / 4
        while time.monotonic() < quiet_until and not self._stop.is_set():
            self._relay(pubsub.get_message(timeout=max(0.0, quiet_until - time.monotonic())))
        pubsub.ping()
        self._expect(pubsub, "pong", time.monotonic() + 2 * self.lease)  # it stopped serving long before, by its lease
        sent = time.monotonic()
        if not self._call(lambda r: r.pexpire(MEMBER + self.member, int(self.lease * 1000))):
            raise RuntimeError("lease gone (fenced by a writer, or expired)")
        self.until = sent + self.lease - MARGIN

    def _expect(self, pubsub, kind, deadline):
        """Relay messages until one of `kind` arrives; TimeoutError at `deadline`."""
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == kind:
                return
            self._relay(message)
        raise TimeoutError(f"no {kind} from redis in time")

    def _relay(self, message):
        """An announcement: drop its keys (or note its limited address) first, then ack."""
        if message is None or message["type"] != "message":
            return
        data = json.loads(message["data"])
        if data.get("l"):
            key, until = data["l"]
            self.limited[key] = until
        self._drop(data["k"])

        def ack(r):
            pipe = r.pipeline(transaction=False)
            pipe.rpush(ACK + data["n"], self.member).pexpire(ACK + data["n"], int((self.ack_seconds + 5) * 1000))
            return pipe.execute()
        self._call(ack)

    def announce_limited(self, counter_key, until):
        """The failure counter `counter_key` is used up until `until` (epoch s): kept, then announced and acked."""
        def keep(r):
            pipe = r.pipeline(transaction=False)
            pipe.hset(LIMITED, counter_key, until).expire(LIMITED, int(max(1, until - time.time())) + 60)
            return pipe.execute()
        self.limited[counter_key] = until
        try:
            self._call(keep)
        except ERRORS:
            return self.outage_wait()
        self.announce(limited=[counter_key, until])


def channel_of(config):
    """The announcements' channel, beside the dashboards' (the one Pub/Sub prefix this app owns)."""
    return config["LIVE_CHANNEL"] + ":cache"
