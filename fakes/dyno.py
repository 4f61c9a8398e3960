"""The web dyno as Heroku starts it: the Procfile's `web` command (gunicorn with gunicorn.conf.py), PORT and
WEB_CONCURRENCY from the environment; and slow clients (slowloris) to hold connections open against it."""
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

from fakes.servers import free_port

TOKEN = "serving-token"  # API_TOKEN of the tests' and the bench's dynos
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def web_command():
    """The Procfile's `web` command, as argv."""
    with open(os.path.join(ROOT, "Procfile")) as procfile:
        for line in procfile:
            name, _, command = line.partition(":")
            if name.strip() == "web":
                return shlex.split(command)
    raise AssertionError("no web process in the Procfile")


class WebDyno:
    """`web: gunicorn wsgi:app` run from the project root (so gunicorn reads gunicorn.conf.py), on a free port."""

    def __init__(self, env, workers=2):
        self.port = free_port()
        path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
        self.env = {**os.environ, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers), "PATH": path,
                    "LOG_LEVEL": "WARNING", "WHATSAPP_TRANSPORT": "dry-run", **{k: str(v) for k, v in env.items()}}
        for name in ("API_TOKEN", "GUNICORN_WORKER_CLASS", "GUNICORN_THREADS"):
            if name not in env:
                self.env.pop(name, None)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=30.0):
        """Start it; return once /api/health answers 200."""
        self.log = tempfile.TemporaryFile()  # a file, not a pipe nobody reads
        self.process = subprocess.Popen(web_command(), cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"web dyno exited: {self.output()}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"web dyno not answering after {timeout}s")

    def output(self):
        """The end of its output (for failure messages)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self):
        """SIGINT (quick shutdown: slow clients would hold a graceful one), SIGKILL if it hangs."""
        if self.process is None:
            return
        self.process.send_signal(2)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.log.close()


class Slowloris:
    """`count` connections that send a request one small piece at a time and never finish it.

    Even ones send their header lines slowly (`GET /api/health` never ends its headers); odd ones send a
    declared body slowly, alternately to the public webhook and to `POST /api/contacts` (with `token`).
    Every second a thread sends each one more piece and reconnects the ones the server dropped (as an
    attacker would), so `count` of them keep pressing on the server until `close()`.
    """

    BODY_PATHS = ("/api/webhooks/whatsapp", "/api/contacts")

    def __init__(self, port, count=50, token=None):
        self.port, self.count, self.token = port, count, token
        self.socks = []
        self.reconnects = 0

    def connect(self, i):
        """Open connection `i` and send its first piece."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if i % 2 == 0:
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        else:
            path = self.BODY_PATHS[(i // 2) % 2]
            auth = f"Authorization: Bearer {self.token}\r\n" if self.token else ""
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}"
                         f"Content-Length: 100000\r\n\r\n{{".encode())
        return sock

    def open(self, every=1.0):
        """Connect them all; a thread then trickles every `every` seconds until `close()`."""
        self.socks = [self.connect(i) for i in range(self.count)]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle_until_closed, args=(every,), daemon=True)
        self.thread.start()
        return self

    def _trickle_until_closed(self, every):
        while not self.stopped.wait(every):
            self.trickle()

    def trickle(self):
        """One more piece on each connection (a header line, or a byte of body); reconnect the dropped ones."""
        for i, sock in enumerate(self.socks):
            try:
                sock.sendall(b"X-Slow: 1\r\n" if i % 2 == 0 else b" ")
            except OSError:
                sock.close()
                try:
                    self.socks[i] = self.connect(i)
                    self.reconnects += 1
                except OSError:
                    pass  # the next trickle tries again

    def close(self):
        """Stop trickling, close them all."""
        self.stopped.set()
        self.thread.join()
        for sock in self.socks:
            sock.close()
        self.socks = []
