"""A local stand-in for Meta's Cloud API (graph.facebook.com): a threaded http.server on a free port.

It records every POST and answers like Meta: `{"messages": [{"id": "wamid..."}]}`, or a scripted error
envelope, status, delay (for timeouts) or garbage, per recipient (`to`) and in order.
"""
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHONE_NUMBER_ID = "106540352242922"
API_VERSION = "v21.0"
TOKEN = "test-cloud-token"


def ok():
    """Meta's answer for an accepted message (the wamid is filled in by the server)."""
    return {"status": 200, "body": None}


def error(status, code, message, details=None, delay=0.0):
    """Meta's error envelope."""
    envelope = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if details:
        envelope["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"status": status, "body": {"error": envelope}, "delay": delay}


def slow(seconds):
    """An accepted message, answered after `seconds` (longer than the client's timeout: a timeout)."""
    return {"status": 200, "body": None, "delay": seconds}


def raw(status, text):
    """A non-JSON answer (a proxy's 502 page)."""
    return {"status": status, "raw": text}


class CloudApi:
    """The fake server: `base_url`, `requests` (recorded), `script(to, *answers)`, `latency`."""

    def __init__(self):
        self.requests = []
        self.scripts = defaultdict(deque)
        self.latency = 0.0
        self.fail_numbers = {}  # to -> answer given every time (permanent failures)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
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
        """App settings that send through this server."""
        return {"WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_API_BASE": self.base_url, "WHATSAPP_TOKEN": TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WHATSAPP_API_VERSION": API_VERSION}

    def script(self, to, *answers):
        """Answer the next POSTs to `to` with these, in order (then: accepted)."""
        with self._lock:
            self.scripts[to].extend(answers)

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
            return f"wamid.HBgLfake{next(self._ids):08d}"

    def sent_to(self):
        """The `to` of every POST, in arrival order."""
        with self._lock:
            return [r["json"].get("to") for r in self.requests if isinstance(r["json"], dict)]

    def start(self):
        """Serve in a background thread."""
        self.thread.start()
        return self

    def stop(self):
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()


def _handler(api):
    """The request handler class bound to this CloudApi."""
    class Handler(BaseHTTPRequestHandler):
        """Answers POST /<version>/<phone number id>/messages like Meta."""
        protocol_version = "HTTP/1.1"  # keep-alive, like graph.facebook.com

        def do_POST(self):  # noqa: N802 (http.server's naming)
            """Record the request, then answer as scripted (after any delay)."""
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            wamid = api.record({"path": self.path, "headers": dict(self.headers), "json": payload,
                                "at": time.monotonic()})
            to = payload.get("to") if isinstance(payload, dict) else None
            answer = api.answer_for(to)
            delay = answer.get("delay", 0.0) + api.latency
            if delay:
                time.sleep(delay)
            if "raw" in answer:
                data, kind = answer["raw"].encode(), "text/html"
            else:
                content = answer["body"] or {"messaging_product": "whatsapp",
                                             "contacts": [{"input": to, "wa_id": (to or "").lstrip("+")}],
                                             "messages": [{"id": wamid, "message_status": "accepted"}]}
                data, kind = json.dumps(content).encode(), "application/json"
            try:
                self.send_response(answer["status"])
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            """Quiet."""

    return Handler
