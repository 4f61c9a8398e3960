"""Benchmark: many open event streams on one dyno, the API beside them, and how fast a write reaches them.

    python -m bench.events --database-url postgresql://postgres@127.0.0.1:5432/test_w2 \
        [--redis-url redis://127.0.0.1:6379/3] [--streams 500] [--timed 50] [--rounds 3] [--wrk-seconds 10] \
        [--writes 100] [--interval 0.1,1.0]

The database is migrated, not emptied (the bench writes `--writes` categories). Without --redis-url it starts
a private redis-server (fakes/servers.py): the Pub/Sub channel is global to a Redis server (not per database), so
a shared one would carry other programs' events, and CLIENT LIST would hold other clients. It starts the
Procfile's `web` command (gunicorn.conf.py: 2 gevent workers, scheduler on, API_TOKEN and one SECRET_KEY for both
workers, since tickets are signed with it), then:
1. `--rounds` times: cached `GET /api/messages/stats` with `wrk -t2 -c16 --latency` and no stream open, then
   `--streams` streams opened (a fresh ticket each, `POST /api/events/ticket` with the bearer token; held by one
   asyncio thread on raw sockets, bench/sse.py) and wrk again, then the streams closed. Which worker serves each
   connection is read from /proc (bench/procfs.py): the streams, and wrk's connections 2 s into each run;
2. the first time the streams are open: RSS of each worker and its Redis connections (its sockets to the Redis
   port, matched with CLIENT LIST, whose `sub` field tells the Pub/Sub subscriber) before and after opening, and
   each worker's CPU time (/proc) over 10 s idle without then with the streams, and during the writes below
   (CPU time, unlike throughput and latency, hardly moves with the load other programs put on the machine);
3. then commit-to-event latency: `--writes` `POST /api/categories`, alternately through a keep-alive connection
   held by each worker, at random intervals (uniform in --interval: some fall inside the 250 ms coalescing
   window). The bench also subscribes to the channel itself (raw RESP), so each frame is timed from the POST sent
   (an upper bound: it includes the request before the commit) and from the PUBLISH read by the bench (just after
   the commit). `--timed` of the streams (one in streams/timed, so on both workers) are read all along and timed;
   the others are read only at the end (their frames wait in the kernel's buffers), so that the bench's own
   Python, sharing the two cores, does not parse 500 frames per write and count that as the server's latency;
   every stream is then checked to have received every write. Streams of the other worker than the writer's are
   the target; the writer's own worker is shown beside them.
Targets (issue #14): with streams, throughput >= 0.8x without and p99 < 50 ms; latency to another process
p50 < 50 ms and p99 < 500 ms.
"""
import argparse
import asyncio
import os
import random
import re
import secrets
import time

import redis
import requests

from bench import procfs
from bench.slow_clients import STATS, migrate, percentile
from bench.sse import ChannelListener, Connection, EventStream
from fakes.dyno import TOKEN, WebDyno
from fakes.servers import RedisServer

CHANNEL = "events:dashboard"  # the app's default LIVE_CHANNEL (a private redis-server: no one else's)
OPEN_CONCURRENCY = 20
SETTLE_SECONDS = 3.0
IDLE_SECONDS = 10.0


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL (migrated here; not emptied)")
    parser.add_argument("--redis-url", help="default: a private redis-server on a free port")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's connections: 16 saturates both workers (the tail is then queueing)")
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--timed", type=int, default=50,
                        help="streams read and timed all along (the others are read at the end)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk without then with streams, this many times")
    parser.add_argument("--interval", default="0.1,1.0", help="seconds between writes: min,max (uniform)")
    parser.add_argument("--shared-socket", action="store_true",
                        help="both workers accept on one socket (development's default) instead of SO_REUSEPORT "
                             "(production's, gunicorn.conf.py)")
    return parser.parse_args()


async def wrk(dyno, seconds, workers, streams_of=None, connections=16):
    """{'rps', 'p99', 'errors', 'load', 'spread'} of wrk on cached stats, run as a subprocess (the event loop keeps
    reading streams); `spread`: wrk's connections held by each worker, 2 s in (all but `streams_of[pid]`)."""
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {TOKEN}",
        dyno.url + STATS,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    await asyncio.sleep(min(2, seconds / 2))
    held = procfs.owners(workers, local_port=dyno.port)
    spread = [len(held[pid]) - (streams_of or {}).get(pid, 0) for pid in workers]
    out = (await asyncio.wait_for(process.communicate(), seconds + 30))[0].decode()
    rps, p99 = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"^\s*99%\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": float(rps.group(1)) if rps else float("nan"), "p99": p99.group(1) if p99 else "?",
            "errors": errors.group(0) if errors else "none", "load": os.getloadavg()[0], "spread": spread}


async def open_streams(port, count, timed):
    """`count` open streams, each with its own fresh ticket, opened OPEN_CONCURRENCY at a time; one in
    count/timed is read (and timed) all along, the others only once `start_reading()` is called."""
    streams, gate = [], asyncio.Semaphore(OPEN_CONCURRENCY)
    every = max(1, count // max(1, timed))

    async def one(n):
        async with gate:
            connection = await Connection(port, TOKEN).open()
            try:
                status, body = await connection.request("POST", "/api/events/ticket")
            finally:
                connection.close()
            if status != 200:
                raise RuntimeError(f"ticket answered {status}")
            streams.append(await EventStream(port).open(body["ticket"], read=n % every == 0))
    await asyncio.gather(*(one(n) for n in range(count)))
    return streams


def redis_connections(client, workers, redis_port):
    """{pid: (connections to Redis, Pub/Sub subscribers among them)}, matched by port with CLIENT LIST."""
    by_port = {int(c["addr"].rsplit(":", 1)[1]): c for c in client.client_list()}
    found = {}
    for pid, pairs in procfs.owners(workers, remote_port=redis_port).items():
        clients = [by_port[local] for local, _ in pairs if local in by_port]
        found[pid] = (len(pairs), sum(1 for c in clients if int(c.get("sub", 0)) + int(c.get("psub", 0)) > 0))
    return found


class Writers:
    """A keep-alive connection held by each worker, renewed before gunicorn's keep-alive (2 s) closes it."""

    FRESH_SECONDS = 1.5

    def __init__(self, port, workers):
        self.port, self.workers = port, workers
        self.held = {}  # pid -> (Connection, last used)

    async def to(self, pid, tries=60):
        """A connection served by worker `pid`: connect until that worker accepts one (bounded)."""
        connection, used = self.held.pop(pid, (None, 0.0))
        if connection is not None and time.monotonic() - used < self.FRESH_SECONDS:
            self.held[pid] = (connection, used)
            return connection
        if connection is not None:
            connection.close()
        for _ in range(tries):
            connection = await Connection(self.port, TOKEN).open()
            await connection.request("GET", "/api/health")  # accepted by now: its worker holds it
            if procfs.server_side(self.workers, self.port, [connection.local_port])[connection.local_port] == pid:
                self.held[pid] = (connection, time.monotonic())
                return connection
            connection.close()
        raise RuntimeError(f"worker {pid} accepted none of {tries} connections")

    async def post(self, pid, path, body):
        """(status, body, sent at) of a POST through worker `pid`."""
        connection = await self.to(pid)
        sent = time.monotonic()
        status, answer = await connection.request("POST", path, body)
        self.held[pid] = (connection, time.monotonic())
        return status, answer, sent

    def close(self):
        """Close every connection."""
        for connection, _ in self.held.values():
            connection.close()


async def write_and_time(port, workers, args):
    """[(category id, writer pid, sent at, answered at)] of `--writes` categories created."""
    low, high = (float(x) for x in args.interval.split(","))
    writers = Writers(port, workers)
    writes = []
    try:
        for n in range(args.writes):
            pid = workers[n % len(workers)]
            await writers.to(pid)  # outside the timed part: finding a connection on that worker
            await asyncio.sleep(random.uniform(low, high))
            status, body, sent = await writers.post(pid, "/api/categories",
                                                    {"name": f"bench-events-{time.time_ns()}-{n}"})
            if status != 201:
                raise RuntimeError(f"write answered {status}: {body}")
            writes.append((body["id"], pid, sent, time.monotonic()))
        await asyncio.sleep(1.0)  # the last window's frames
    finally:
        writers.close()
    return writes


def latencies(writes, streams, worker_of, published):
    """Per write and stream, the delay to its frame: from sending the POST (`other`, `same`: the stream's worker is
    another than the writer's, or the same) and from the PUBLISH seen by the bench (`other_pub`, `same_pub`)."""
    found = {key: [] for key in ("other", "same", "other_pub", "same_pub")}
    found.update(missing=0, ids=[write[0] for write in writes],
                 post=[answered - sent for _, _, sent, answered in writes],
                 publish=[published[i] - sent for i, _, sent, _ in writes if i in published])
    for category_id, writer_pid, sent, _ in writes:
        for stream in (s for s in streams if s.timed):
            arrived = stream.arrivals.get(category_id)
            if arrived is None:
                found["missing"] += 1
                continue
            key = "same" if worker_of[stream.local_port] == writer_pid else "other"
            found[key].append(arrived - sent)
            if category_id in published:
                found[key + "_pub"].append(arrived - published[category_id])
    return found


async def open_and_measure(dyno, workers, args, probe, figures):
    """Open the streams; the first time, RSS, Redis connections and who serves which stream around it."""
    first = "per_worker" not in figures
    redis_port = probe.connection_pool.connection_kwargs["port"]
    if first:
        figures["cpu_idle_before"] = await cpu_rate(workers, IDLE_SECONDS)
        figures["rss_before"] = {pid: procfs.rss_bytes(pid) for pid in workers}
        figures["redis_before"] = redis_connections(probe, workers, redis_port)
    started = time.monotonic()
    streams = await open_streams(dyno.port, args.streams, args.timed)
    figures.setdefault("open_seconds", time.monotonic() - started)
    await asyncio.sleep(SETTLE_SECONDS)
    worker_of = procfs.server_side(workers, dyno.port, [s.local_port for s in streams])
    if first:
        figures["cpu_idle_after"] = await cpu_rate(workers, IDLE_SECONDS)
        figures["rss_after"] = {pid: procfs.rss_bytes(pid) for pid in workers}
        figures["redis_after"] = redis_connections(probe, workers, redis_port)
        figures["per_worker"] = {pid: sum(1 for p in worker_of.values() if p == pid) for pid in workers}
    return streams, worker_of


async def time_writes(dyno, workers, args, probe, streams, worker_of):
    """Latency figures of `--writes` writes seen by the open streams."""
    kwargs = probe.connection_pool.connection_kwargs
    listener = await ChannelListener(kwargs["host"], kwargs["port"], CHANNEL).open()
    cpu, started = {pid: procfs.cpu_seconds(pid) for pid in workers}, time.monotonic()
    try:
        writes = await write_and_time(dyno.port, workers, args)
    finally:
        listener.close()
    found = latencies(writes, streams, worker_of, listener.arrivals)
    found["cpu"] = {pid: (procfs.cpu_seconds(pid) - cpu[pid], time.monotonic() - started) for pid in workers}
    return found


async def cpu_rate(workers, seconds):
    """{pid: CPU ms each worker used per second over `seconds`} (CPU time, not wall time: the machine's load
    from others moves it much less than it moves throughput)."""
    before = {pid: procfs.cpu_seconds(pid) for pid in workers}
    await asyncio.sleep(seconds)
    return {pid: (procfs.cpu_seconds(pid) - before[pid]) * 1000 / seconds for pid in workers}


async def measure(dyno, args, probe):
    """Every phase against a running dyno, `--rounds` times wrk without then with streams; a dict of figures."""
    workers = procfs.worker_pids(dyno.process.pid)
    figures = {"workers": workers, "load_before": os.getloadavg(), "rounds": []}
    for round_number in range(args.rounds):
        without = await wrk(dyno, args.wrk_seconds, workers, connections=args.connections)
        streams, worker_of = await open_and_measure(dyno, workers, args, probe, figures)
        per_worker = {pid: sum(1 for p in worker_of.values() if p == pid) for pid in workers}
        with_streams = await wrk(dyno, args.wrk_seconds, workers, per_worker, connections=args.connections)
        figures["rounds"].append((without, with_streams))
        if round_number == 0:
            figures["latency"] = await time_writes(dyno, workers, args, probe, streams, worker_of)
            figures["closed_early"] = sum(1 for s in streams if s.task is not None and s.task.done())
            figures["missed"] = await read_the_rest(streams, figures["latency"]["ids"])
            figures["frames"] = _sum_counts(streams)
        for stream in streams:
            stream.close()
        await asyncio.sleep(SETTLE_SECONDS)
    figures["load_after"] = os.getloadavg()
    return figures


async def read_the_rest(streams, ids):
    """Read what the untimed streams were sent meanwhile; how many (stream, write) pairs never arrived."""
    for stream in streams:
        if stream.task is None:
            stream.start_reading()
    await asyncio.sleep(SETTLE_SECONDS)
    return sum(1 for stream in streams for category_id in ids if category_id not in stream.arrivals)


def _sum_counts(streams):
    total = {}
    for stream in streams:
        for name, n in stream.counts.items():
            total[name] = total.get(name, 0) + n
    return total


def report(figures, args):
    """Print the figures as markdown."""
    mib = 1024 * 1024
    print(f"\nload average before {figures['load_before']}, after {figures['load_after']}")
    print(f"{args.streams} streams opened in {figures['open_seconds']:.1f} s; per worker {figures['per_worker']}; "
          f"closed early: {figures['closed_early']}; frames read: {figures['frames']}; (stream, write) pairs "
          f"never delivered: {figures['missed']}")
    print(f"\n| round | cached stats, wrk -t2 -c{args.connections} | req/s | ratio | p99 | errors | load (1 min) "
          "| wrk connections per worker |")
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for n, (without, with_streams) in enumerate(figures["rounds"], 1):
        ratios.append(with_streams["rps"] / without["rps"])
        for label, run in (("no streams", without), (f"{args.streams} streams open", with_streams)):
            print(f"| {n} | {label} | {run['rps']:.0f} | {run['rps'] / without['rps']:.2f}x | {run['p99']} "
                  f"| {run['errors']} | {run['load']:.1f} | {run['spread']} |")
    pooled = sum(w["rps"] for _, w in figures["rounds"]) / sum(b["rps"] for b, _ in figures["rounds"])
    print(f"ratio with/without streams: per round {[round(r, 2) for r in ratios]}, all rounds pooled {pooled:.2f}x")
    print("\n| worker | streams | RSS before | RSS after | per stream | Redis connections before -> after "
          "| Pub/Sub subscribers |")
    print("|---|---|---|---|---|---|---|")
    for pid in figures["workers"]:
        n, before, now = figures["per_worker"][pid], figures["rss_before"][pid], figures["rss_after"][pid]
        per = f"{(now - before) / n / 1024:.1f} KiB" if n else "-"
        (c0, _), (c1, s1) = figures["redis_before"][pid], figures["redis_after"][pid]
        print(f"| {pid} | {n} | {before / mib:.1f} MiB | {now / mib:.1f} MiB | {per} | {c0} -> {c1} | {s1} |")
    lat = figures["latency"]
    print("\n| worker | CPU, idle, no streams | CPU, idle, streams open | CPU during the writes "
          "| per write, above idle |")
    print("|---|---|---|---|---|")
    for pid in figures["workers"]:
        used, seconds = lat["cpu"][pid]
        idle = figures["cpu_idle_after"][pid]
        per_write = (used * 1000 - idle * seconds) / args.writes
        print(f"| {pid} | {figures['cpu_idle_before'][pid]:.1f} ms/s | {idle:.1f} ms/s "
              f"| {used * 1000 / seconds:.1f} ms/s | {per_write:.1f} ms |")
    print(f"\nwrite to `changes` frame, {args.writes} writes (interval {args.interval} s), timed on "
          f"{sum(1 for _ in range(0, args.streams, max(1, args.streams // max(1, args.timed))))} streams, "
          f"missing frames: {lat['missing']}")
    print("| streams | samples | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|")
    for label, key in (("other worker than the writer's, from the POST sent", "other"),
                       ("writer's worker, from the POST sent", "same"),
                       ("other worker, from the PUBLISH (read by the bench)", "other_pub"),
                       ("writer's worker, from the PUBLISH", "same_pub"),
                       ("(POST sent to PUBLISH read by the bench)", "publish"),
                       ("(POST sent to its answer read)", "post")):
        values = lat[key]
        if values:
            cells = " | ".join(f"{percentile(values, q):.1f} ms" for q in (50, 90, 99, 100))
            print(f"| {label} | {len(values)} | {cells} |")


def main():
    """Start Redis (unless given) and the dyno, measure, report, stop."""
    args = parse_args()
    server = None if args.redis_url else RedisServer().start()
    redis_url = args.redis_url or server.url
    env = {"DATABASE_URL": args.database_url, "REDIS_URL": redis_url, "SCHEDULER_ENABLED": "true",
           "API_TOKEN": TOKEN, "SECRET_KEY": secrets.token_hex(32), "LIVE_CHANNEL": CHANNEL,
           "GUNICORN_REUSE_PORT": "false" if args.shared_socket else "true"}
    try:
        migrate(env)
        probe = redis.Redis.from_url(redis_url)
        dyno = WebDyno(env).start()
        try:
            for _ in range(3):
                dyno_get(dyno)
            figures = asyncio.run(measure(dyno, args, probe))
        finally:
            dyno.stop()
            probe.close()
    finally:
        if server is not None:
            server.close()
    report(figures, args)


def dyno_get(dyno):
    """One cached-stats request (puts the value in the cache: HIT from then on)."""
    requests.get(dyno.url + STATS, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


if __name__ == "__main__":
    main()
