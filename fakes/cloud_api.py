"""A local stand-in for Meta's Cloud API (graph.facebook.com): a threaded http.server on a free port.

It records every POST and answers like Meta: `{"messages": [{"id": "wamid..."}]}`, or a scripted error
envelope, status, delay (for timeouts) or garbage, per recipient (`to`) and in order. A wrong token gets
Meta's 401, a wrong path its 400. `hold(n)` keeps the first requests unanswered until n are open at once
(proof that n senders really overlap); `stall(n)` answers n and holds the rest (a client killed mid-batch);
`sends` counts the accepted messages per recipient.
"""
import itertools
import json
import threading
import time
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHONE_NUMBER_ID = "106540352242922"
API_VERSION = "v21.0"
TOKEN = "test-cloud-token"
# What a load probe (wrk, measuring a fake's own ceiling) sends to: not counted as a message sent.
PROBE = "+10000000000"


def ok():
    """Meta's answer for an accepted message (the wamid is filled in by the server)."""
    return {"status": 200, "body": None}


def error(status, code, message, details=None, delay=0.0):
    """Meta's error envelope."""
    envelope = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if details:
        envelope["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"status": status, "body": {"error": envelope}, "delay": delay}


def throughput():
    """Meta's answer when our number sends faster than its throughput (130429)."""
    return error(400, 130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.")


def pair_rate():
    """Meta's answer when one user gets too many messages in a short time (131056)."""
    return error(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                 "Message failed to send because there were too many messages sent from this phone number to the "
                 "same phone number in a short period of time.")


def marketing_limit():
    """Meta's answer when a user has had their share of marketing messages (131049): final, never retried."""
    return error(400, 131049, "This message was not delivered to maintain healthy ecosystem engagement.",
                 "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.")


def slow(seconds):
    """An accepted message, answered after `seconds` (longer than the client's timeout: a timeout)."""
    return {"status": 200, "body": None, "delay": seconds}


def raw(status, text):
    """A non-JSON answer (a proxy's 502 page)."""
    return {"status": status, "raw": text}


class Gate:
    """Holds requests until `count` are open at once, then lets every request through for good."""

    def __init__(self, count, timeout):
        self.count, self.timeout = count, timeout
        self.opened = threading.Event()
        self.expired = False

    def wait(self, in_flight):
        """Called with the number of requests open now (this one included); blocks until the gate opens."""
        if in_flight >= self.count:
            self.opened.set()
        if not self.opened.wait(self.timeout):
            self.expired = True  # reported by the test (`held`), answered anyway so that nothing hangs
            self.opened.set()


class Server(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog for a hundred senders connecting at once (the default 5
    drops SYNs, and each dropped one costs its sender a second)."""

    request_queue_size = 1024


class CloudApi:
    """The fake server: `base_url`, `requests` (recorded), `script(to, *answers)`, `latency`, `sends`."""

    def __init__(self, latency=0.0):
        self.requests = []
        self.scripts = defaultdict(deque)
        self.latency = latency
        self.fail_numbers = {}  # to -> answer given every time (permanent failures)
        self.sends = Counter()  # accepted messages per recipient (wa_id: no '+'); 2 means sent twice
        self.in_flight = self.peak_in_flight = 0
        self.gate = None
        self.stall_after = None  # answer this many POSTs, then hold every later one until `unstall()`
        self.unstalled = threading.Event()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = Server(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def base_url(self):
        """What WHATSAPP_API_BASE points at."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def path(self):
        """The path sends must use."""
        return f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages"

    def config(self):
        """App settings (or environment variables) that send through this server."""
        return {"WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_API_BASE": self.base_url, "WHATSAPP_TOKEN": TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WHATSAPP_API_VERSION": API_VERSION}

    def script(self, to, *answers):
        """Answer the next POSTs to `to` with these, in order (then: accepted)."""
        with self._lock:
            self.scripts[to].extend(answers)

    def hold(self, count, timeout=30.0):
        """Answer nothing until `count` requests are open at once (or `timeout` passed: see `held`)."""
        self.gate = Gate(count, timeout)

    def stall(self, after):
        """Answer the first `after` POSTs, then none until `unstall()` (a dispatcher killed while waiting)."""
        self.stall_after = after

    def unstall(self):
        """Answer the held POSTs (their clients may be gone) and every later one."""
        self.unstalled.set()

    def stalls(self, count):
        """Is the POST numbered `count` (1-based) one to hold?"""
        return self.stall_after is not None and count > self.stall_after and not self.unstalled.is_set()

    @property
    def held(self):
        """True once the gate opened because `count` requests were open together (not by its timeout)."""
        return self.gate is not None and self.gate.opened.is_set() and not self.gate.expired

    def answer_for(self, to):
        """The scripted answer for this recipient, or acceptance."""
        with self._lock:
            if to in self.fail_numbers:
                return self.fail_numbers[to]
            return self.scripts[to].popleft() if self.scripts[to] else ok()

    def record(self, entry):
        """Remember one request; returns a fresh wamid."""
        with self._lock:
            self.requests.append(entry)
            entry["number"] = len(self.requests)
            entry["wamid"] = f"wamid.HBgLfake{next(self._ids):08d}"
            return entry["wamid"]

    def accepted(self, to):
        """Count one accepted message to `to`."""
        with self._lock:
            self.sends[(to or "").lstrip("+")] += 1

    def sent_to(self):
        """The `to` of every POST, in arrival order."""
        with self._lock:
            return [r["json"].get("to") for r in self.requests if isinstance(r["json"], dict)]

    def total(self, recipients=None):
        """Accepted messages, to everyone or to these recipients (wa_ids)."""
        with self._lock:
            return sum(self.sends.values()) if recipients is None else sum(self.sends[r] for r in recipients)

    def opened(self, change):
        """A request starts (+1) or ends (-1); returns how many are open now."""
        with self._lock:
            self.in_flight += change
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            return self.in_flight

    def start(self):
        """Serve in a background thread."""
        self.thread.start()
        return self

    def stop(self):
        """Stop serving and free the port."""
        if self.gate is not None:
            self.gate.opened.set()
        self.unstalled.set()
        self.server.shutdown()
        self.server.server_close()


def rejection(api, path, headers):
    """Meta's answer to a wrong path (400) or token (401), else None."""
    if path != api.path:
        return error(400, 100, "Unsupported post request.")
    if headers.get("Authorization") != f"Bearer {TOKEN}":
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    return None


def respond(api, path, headers, body, open_now):
    """(status, content type, bytes) for one POST: recorded, checked, held or delayed as told."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    entry = {"path": path, "headers": dict(headers), "json": payload, "at": time.monotonic()}
    wamid = api.record(entry)
    to = payload.get("to") if isinstance(payload, dict) else None
    answer = rejection(api, path, headers) or api.answer_for(to)
    if api.gate is not None:
        api.gate.wait(open_now)
    if api.stalls(entry["number"]):
        api.unstalled.wait(60)
    delay = answer.get("delay", 0.0) + api.latency
    if delay:
        time.sleep(delay)
    if answer["status"] == 200:
        api.accepted(to)
    if "raw" in answer:
        return answer["status"], "text/html", answer["raw"].encode()
    content = answer["body"] or {"messaging_product": "whatsapp",
                                 "contacts": [{"input": to, "wa_id": (to or "").lstrip("+")}],
                                 "messages": [{"id": wamid, "message_status": "accepted"}]}
    return answer["status"], "application/json", json.dumps(content).encode()


def _handler(api):
    """The request handler class bound to this CloudApi."""
    class Handler(BaseHTTPRequestHandler):
        """Answers POST /<version>/<phone number id>/messages like Meta."""
        protocol_version = "HTTP/1.1"  # keep-alive, like graph.facebook.com

        def do_POST(self):  # noqa: N802 (http.server's naming)
            """Answer as scripted; counted as open from the first byte read to the last byte written."""
            open_now = api.opened(+1)
            try:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, kind, data = respond(api, self.path, self.headers, body, open_now)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)
            finally:
                api.opened(-1)

        def log_message(self, *args):
            """Quiet."""

    return Handler
