"""Fixtures of the live-event tests: a reader of the SSE stream on its own thread, and a channel listener."""
import threading
import time

import pytest
import redis as redis_lib
from tests.conftest import LIVE_CHANNEL


DEADLINE_SECONDS = 10


class StreamReader:
    """Reads an SSE response on a thread; `wait_for(pred)` polls the frames seen with a deadline."""

    def __init__(self, response):
        self.response, self.frames = response, []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for chunk in self.response.response:
                self.frames.append(chunk.decode())
        except Exception as exc:  # the test closed the response
            self.frames.append(f"closed: {exc!r}")

    def events(self, name):
        """The frames of one event name."""
        return [f for f in self.frames if f"event: {name}\n" in f]

    def wait_for(self, predicate, what="frame"):
        """Poll until `predicate(frames)` holds; fail at the deadline with what was seen."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not predicate(self.frames):
            assert time.monotonic() < deadline, f"no {what} in {self.frames[-10:]}"
            time.sleep(0.01)

    def close(self):
        """End the stream (its generator returns and detaches), then close the response."""
        from flask import current_app

        from chatbot.live import get_hub
        get_hub(current_app).close_all()
        self.thread.join(timeout=DEADLINE_SECONDS)
        self.response.close()


@pytest.fixture
def open_stream(client):
    """open_stream(headers=None) -> StreamReader of GET /api/events with a fresh ticket."""
    readers = []

    def opening(headers=None, query=""):
        ticket = client.post("/api/events/ticket").get_json()["ticket"]
        response = client.get(f"/api/events?ticket={ticket}{query}", headers=headers or {}, buffered=False)
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        reader = StreamReader(response)
        readers.append(reader)
        return reader
    yield opening
    for reader in readers:
        reader.close()


@pytest.fixture
def channel(redis_url):
    """A listener on events:dashboard: `channel.messages()` returns what was published so far."""
    client = redis_lib.Redis.from_url(redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(LIVE_CHANNEL)
    pubsub.get_message(timeout=1)  # the subscribe confirmation

    class Channel:
        def messages(self, settle=0.2):
            seen, deadline = [], time.monotonic() + settle
            while time.monotonic() < deadline:
                message = pubsub.get_message(timeout=0.05)
                if message:
                    seen.append(message["data"].decode())
            return seen
    yield Channel()
    pubsub.close()
    client.close()
