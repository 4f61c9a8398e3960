"""A counting stand-in for Meta's Cloud API, shared by every process of the rehearsal (it runs in the test).

Accepts every POST /<version>/<phone_number_id>/messages after a short latency (so that dispatchers overlap)
and counts them per recipient (`to`): a message sent twice shows up as a count of 2.
"""
import itertools
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHONE_NUMBER_ID = "106540352242922"
API_VERSION = "v21.0"
TOKEN = "rehearsal-cloud-token"


class CountingCloudApi:
    """`base_url`, `sends` (Counter of recipients without '+'), `total()`; start() and close()."""

    def __init__(self, latency=0.02):
        self.latency = latency
        self.sends = Counter()
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base_url(self):
        """What WHATSAPP_API_BASE points at."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self):
        """The environment that makes the app send here."""
        return {"WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_API_BASE": self.base_url, "WHATSAPP_TOKEN": TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WHATSAPP_API_VERSION": API_VERSION}

    def total(self, recipients=None):
        """How many POSTs, to everyone or to these recipients."""
        with self.lock:
            if recipients is None:
                return sum(self.sends.values())
            return sum(self.sends[r] for r in recipients)

    def count(self, to):
        """Record one send; returns its wamid."""
        with self.lock:
            self.sends[to] += 1
            return f"wamid.rehearsal.{next(self.ids)}"

    def start(self):
        """Serve in a daemon thread."""
        self.thread.start()
        return self

    def close(self):
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                """Count the recipient, answer like Meta."""
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                expected = f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages"
                if self.path != expected or self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(400, {"error": {"message": "bad request", "code": 100}})
                time.sleep(api.latency)
                wamid = api.count(str(body.get("to", "")).lstrip("+"))
                self._answer(200, {"messaging_product": "whatsapp", "contacts": [{"wa_id": body.get("to")}],
                                   "messages": [{"id": wamid}]})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                """Quiet."""

        return Handler
