"""The sender loop (issue 17, point 1): many sends in flight on one asyncio loop, and never more than the rate
written in any one second of the loop's clock, however late the sends were handed over."""
import asyncio
import bisect
import threading
from types import SimpleNamespace

from chatbot.messaging.sender import RateWindow, Sender


def busiest_second(times):
    """The most starts within any one-second window [t, t + 1)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def test_the_rate_window_holds_a_burst_to_the_rate_in_every_second():
    # 120 requests handed over at once (a process held up, then catching up): 50 go, the rest wait their turn.
    async def burst():
        window, loop, starts = RateWindow(50), asyncio.get_running_loop(), []

        async def one():
            await window.admit()
            starts.append(loop.time())
        await asyncio.gather(*(one() for _ in range(120)))
        return starts

    starts = sorted(asyncio.run(burst()))
    assert busiest_second(starts) == 50
    assert starts[50] - starts[0] >= 1.0 and starts[100] - starts[0] >= 2.0


def test_rate_zero_is_no_limit():
    async def burst():
        window = RateWindow(0)
        for _ in range(1000):
            await window.admit()
        return window.recent
    assert asyncio.run(burst()) is None


class SlowClient:
    """Answers every send after a shared gate opens: proof that the sends are all in flight at once."""

    def __init__(self, count):
        self.count, self.opened = count, 0
        self.gate = None

    async def open(self):
        self.gate = asyncio.Event()

    async def send(self, phone, body):
        self.opened += 1
        if self.opened == self.count:
            self.gate.set()
        await asyncio.wait_for(self.gate.wait(), timeout=10)
        return SimpleNamespace(outcome="sent", wamid=f"wamid.{phone}")

    async def close(self):
        pass


def test_two_hundred_sends_are_in_flight_at_once_on_one_loop():
    done, finished = [], threading.Event()

    def record(message, flight, result, error):
        done.append((message.id, result.outcome if result else error))
        if len(done) == 200:
            finished.set()

    sender = Sender(SlowClient(200), record)
    for i in range(200):
        sender.submit(SimpleNamespace(id=i, phone=str(i), body={}), None)
    assert finished.wait(15), f"only {len(done)} answered: the sends did not overlap"
    sender.close()
    assert sorted(done) == [(i, "sent") for i in range(200)]
