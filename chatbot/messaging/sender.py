"""The senders: one asyncio event loop per process, on a thread of its own, holding every send in flight.

At Meta's ~0.2 s a send, 1,000 messages a second keep 200 requests open. As threads (the former design) each
answer cost a wake-up and a fight for the GIL, and the sends that waited for it started late, then together (a
busiest second of 1,248 POSTs at a pace of 1,000). Here a send is a coroutine on one loop: the dispatcher hands
it over (`submit`, thread-safe) at the pacer's time, the loop posts it at once through the client
(`chatbot/messaging/cloud_api.py`: aiohttp, C-parsed answers) and hands the SendResult to `done`, on the loop's
thread. The loop lives as long as the process and is shared by the dispatch runs in it (each with a client of
its own, opened and closed on the loop); a forked child makes its own.

Under gunicorn's gevent worker the thread is a greenlet and the loop's selector gevent's (monkey-patched
`selectors`): the loop waits in the hub like any other greenlet. asyncio keeps its running loop per OS thread,
so the other greenlets of the worker see this loop as running: nothing else in the app runs asyncio.
"""
import asyncio
import logging
import os
import threading
from collections import deque

import aiohttp

log = logging.getLogger(__name__)
_guard = threading.Lock()
_shared = {"loop": None, "pid": None}


def _serve(loop, ready):
    """The loop's thread: run until the process ends."""
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    loop.run_forever()


def shared_loop():
    """The process's sender loop, started on first use (again in a forked child)."""
    with _guard:
        if _shared["loop"] is None or _shared["pid"] != os.getpid():
            loop, ready = asyncio.new_event_loop(), threading.Event()
            threading.Thread(target=_serve, args=(loop, ready), name="dispatch-sender", daemon=True).start()
            ready.wait()
            _shared.update(loop=loop, pid=os.getpid())
        return _shared["loop"]


class RateWindow:
    """At most `rate` requests start in any one second of the loop's clock (0: no limit), retries included.

    The pacer (`chatbot/messaging/dispatch.py`) spaces the hand-overs; this guard is where the request is
    written. A process that the machine's other work holds up for a moment hands over a run of sends at once:
    without the guard they would all go out together (a busiest second of 1,102 POSTs for a pace of 1,000,
    measured where the loop posts them); with it, the ones over the rate wait for the window to move.
    """

    def __init__(self, rate):
        self.recent = deque(maxlen=int(rate)) if rate and rate > 0 else None

    async def admit(self):
        """Wait (on the loop) until one more request keeps the last second within the rate; count it."""
        if self.recent is None:
            return
        loop = asyncio.get_running_loop()
        while len(self.recent) == self.recent.maxlen:
            wait = self.recent[0] + 1.0 - loop.time()
            if wait <= 0:
                break
            await asyncio.sleep(wait)  # others may have gone meanwhile: look again
        self.recent.append(loop.time())


class PacedConnector(aiohttp.TCPConnector):
    """A TCPConnector that hands out a connection only once the RateWindow lets one more request go: the request
    is written right after (`ClientSession._request` awaits `connect`, then sends), so the window counts writes,
    not hand-overs (a new connection's handshake would otherwise let a few written later bunch up)."""

    def __init__(self, window, **kwargs):
        super().__init__(**kwargs)
        self.window = window

    async def connect(self, req, traces, timeout):
        """A connection (pooled or new), then the window's admission."""
        connection = await super().connect(req, traces, timeout)
        await self.window.admit()
        return connection


class Sender:
    """One dispatch run's sends on the shared loop, through its own client; `done(message, flight, result, error)`
    is called on the loop's thread for each (error: an unexpected exception, the result then None)."""

    def __init__(self, client, done):
        self.client, self.done = client, done
        self.loop = shared_loop()
        self.tasks = set()  # strong references: the loop keeps only weak ones to its tasks
        self._call(client.open())

    def _call(self, coroutine):
        """Run a coroutine on the loop and wait for its result (from the dispatcher's thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def submit(self, message, flight):
        """Send `message` now (thread-safe); `flight` goes with it to `done`."""
        self.loop.call_soon_threadsafe(self._start, message, flight)

    def _start(self, message, flight):
        """On the loop: the send as a task."""
        task = self.loop.create_task(self._send(message, flight))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, message, flight):
        """One message through the client; its result (or the unexpected exception) to `done`."""
        try:
            result = await self.client.send(message.phone, message.body)
        except Exception as exc:  # a bug, not a refusal (the client answers those): the attempt stays in doubt
            log.exception("dispatch: sending message %s failed", message.id)
            self.done(message, flight, None, exc)
            return
        self.done(message, flight, result, None)

    async def _drain(self):
        """On the loop: wait for the sends in flight, then close the client's connections."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        await self.client.close()

    def close(self):
        """Wait for every send submitted so far to finish, then close the client."""
        self._call(self._drain())
