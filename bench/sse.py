"""A cheap HTTP/1.1 client on asyncio streams (standard library only): keep-alive requests, and Server-Sent Events
streams held by the hundred in one thread, each recording when every `changes` frame arrived.

No third-party client is needed (aiohttp and httpx are not in the venv): the server speaks plain HTTP/1.1,
JSON answers carry Content-Length and the event stream is chunked.
"""
import asyncio
import json
import time

LIMIT = 1 << 20  # bytes a StreamReader buffers


async def read_head(reader):
    """(status, {lowercase header: value}) of a response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.reader = self.writer = None

    async def open(self):
        """Connect; returns self."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=LIMIT)
        return self

    @property
    def local_port(self):
        """This end's port (to find which worker holds the other end)."""
        return self.writer.get_extra_info("sockname")[1]

    async def request(self, method, path, body=None):
        """(status, parsed JSON or None) of one request on this connection."""
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        self.writer.write(head.encode() + data)
        status, headers = await read_head(self.reader)
        payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, (json.loads(payload) if payload else None)

    def close(self):
        """Close the socket."""
        if self.writer is not None:
            self.writer.close()


class EventStream:
    """One open `GET /api/events`: counts frames by event name, times the arrival of each category id."""

    def __init__(self, port):
        self.port = port
        self.counts = {}
        self.arrivals = {}  # category id -> time.monotonic() when its `changes` frame was read
        self.task = None
        self.error = None

    async def open(self, ticket, read=True):
        """Connect and read the answer's head (200 expected); then, if `read`, read frames on a task until closed
        (else the kernel buffers them until `start_reading()`)."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=LIMIT)
        self.local_port = self.writer.get_extra_info("sockname")[1]
        self.writer.write(f"GET /api/events?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        status, headers = await read_head(self.reader)
        if status != 200:
            raise RuntimeError(f"stream answered {status}")
        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.timed = read  # read all along: its arrival times mean something
        if read:
            self.start_reading()
        return self

    def start_reading(self):
        """Read frames on a task from now on."""
        self.task = asyncio.create_task(self._read())

    async def _chunks(self):
        """The body's pieces (chunked or not) until the server closes."""
        while True:
            if not self.chunked:
                piece = await self.reader.read(65536)
                if not piece:
                    return
                yield piece
                continue
            size = int((await self.reader.readline()).split(b";")[0], 16)
            if size == 0:
                return
            piece = await self.reader.readexactly(size + 2)
            yield piece[:-2]

    async def _read(self):
        buffer = b""
        try:
            async for piece in self._chunks():
                buffer += piece
                while b"\n\n" in buffer:
                    raw, buffer = buffer.split(b"\n\n", 1)
                    self._on_frame(raw.decode(), time.monotonic())
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.error = type(exc).__name__

    def _on_frame(self, text, now):
        fields = dict(line.split(": ", 1) for line in text.split("\n") if ": " in line and not line.startswith(":"))
        name = fields.get("event", "ping" if text.startswith(":") else "retry")
        self.counts[name] = self.counts.get(name, 0) + 1
        if name == "changes":
            for params in json.loads(fields["data"]).values():
                for category_id in params.get("category_id", []):
                    self.arrivals.setdefault(category_id, now)

    def close(self):
        """Close the connection (the server's generator ends at its next write)."""
        self.writer.close()
        if self.task is not None:
            self.task.cancel()


class ChannelListener:
    """A raw RESP subscriber to the dashboard channel in the bench's own loop: when each category id was published.

    Publishing happens right after the commit, so this times the commit (plus one PUBLISH) on the same clock as
    the streams' frames."""

    def __init__(self, host, port, channel):
        self.host, self.port, self.channel = host, port, channel
        self.arrivals = {}

    async def open(self):
        """Connect and SUBSCRIBE; then read messages on a task."""
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=LIMIT)
        name = self.channel.encode()
        self.writer.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(name), name))
        await self._message()  # the subscribe confirmation
        self.task = asyncio.create_task(self._read())
        return self

    async def _message(self):
        """One pushed array of bulk strings or integers, as a list of bytes."""
        count = int((await self.reader.readline())[1:])
        items = []
        for _ in range(count):
            line = await self.reader.readline()
            if line.startswith(b"$"):
                items.append((await self.reader.readexactly(int(line[1:]) + 2))[:-2])
            else:
                items.append(line[1:-2])
        return items

    async def _read(self):
        try:
            while True:
                items = await self._message()
                now = time.monotonic()
                if items[0] == b"message":
                    payload = json.loads(items[2].partition(b"|")[2])
                    for params in payload.values():
                        for category_id in params.get("category_id", []):
                            self.arrivals.setdefault(category_id, now)
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def close(self):
        """Close the connection."""
        self.writer.close()
        self.task.cancel()
