"""A fast stand-alone Cloud API for the dispatch bench: its own process, gevent, HTTP/1.1 parsed by hand.

    python -m fakes.cloud_api_server [--latency 0.2] [--port 0]     # prints its base URL, serves until killed

`fakes/cloud_api.py` (http.server, scriptable answers) is what tests use; at 1,000 sends a second its header
parsing alone would take most of a core, so the bench would measure the fake. This one answers every POST to
/{version}/{phone number id}/messages with the bearer token like Meta accepting it, after --latency seconds,
each connection a greenlet (hundreds open at once cost little). `GET /__stats` answers the monotonic arrival
time of every POST and the most sends any recipient got (a double send shows as 2); `GET /__sent?from=N` the
accepted messages from the N-th on, as [recipient, wamid] pairs in the order answered (what a test posts
status webhooks for, as Meta would).
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 (after the patch)
import itertools  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import gevent  # noqa: E402
from gevent.server import StreamServer  # noqa: E402

from fakes.cloud_api import API_VERSION, PHONE_NUMBER_ID, PROBE, TOKEN  # noqa: E402

PATH = f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages".encode()
AUTHORIZATION = f"authorization: bearer {TOKEN}".lower().encode()
TO = re.compile(rb'"to"\s*:\s*"([^"]*)"')
LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)
FROM = re.compile(rb"[?&]from=(\d+)")


class Fast:
    """The server's state: arrival times, sends per recipient, wamids."""

    def __init__(self, latency):
        self.latency = latency
        self.times = []
        self.sends = Counter()
        self.sent = []  # [recipient, wamid] of each accepted message, in the order answered
        self.ids = itertools.count(1)

    def answer(self, head, body):
        """(status line, JSON bytes) for one request."""
        request_line = head.split(b"\r\n", 1)[0]
        if request_line.startswith(b"GET /__stats"):
            stats = {"times": self.times, "most_sends": max(self.sends.values(), default=0),
                     "doubled": sum(1 for count in self.sends.values() if count > 1)}
            return b"200 OK", json.dumps(stats).encode()
        if request_line.startswith(b"GET /__sent"):
            found = FROM.search(request_line)
            return b"200 OK", json.dumps({"sent": self.sent[int(found.group(1)) if found else 0:]}).encode()
        self.times.append(time.monotonic())
        if b" " + PATH + b" " not in request_line or AUTHORIZATION not in head.lower():
            return b"400 Bad Request", b'{"error": {"code": 100, "message": "Unsupported post request."}}'
        gevent.sleep(self.latency)
        found = TO.search(body)
        to = found.group(1).decode() if found else ""
        wamid = f"wamid.HBgLfast{next(self.ids):08d}"
        if to != PROBE:
            self.sends[to.lstrip("+")] += 1
            self.sent.append([to, wamid])
        return b"200 OK", json.dumps({"messaging_product": "whatsapp", "contacts": [{"input": to}],
                                      "messages": [{"id": wamid}]}).encode()

    def handle(self, sock, _address):
        """One keep-alive connection: requests in order until the client closes it."""
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                found = LENGTH.search(head)
                length = int(found.group(1)) if found else 0
                while len(buffer) < length:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                status, data = self.answer(head, body)
                sock.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(data)).encode() + b"\r\n\r\n" + data)
        except OSError:
            return  # the client went away
        finally:
            sock.close()


def main(argv=None):
    """Serve until killed; the first line on stdout is the base URL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = StreamServer(("127.0.0.1", args.port), Fast(args.latency).handle, backlog=2048)
    server.start()
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
