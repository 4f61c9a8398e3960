"""Throwaway servers for tests and benchmarks: a real redis-server on a free port, and a "silent" TCP server.

    with RedisServer(tmp_path) as server:      # binary from $REDIS_SERVER_BIN or PATH
        server.url                             # redis://127.0.0.1:<port>/0
        server.stop(); server.start()          # same port, empty data (no persistence)
        server.pause(); server.resume()        # SIGSTOP/SIGCONT: connects succeed, nothing answers
    with SilentServer() as silent:             # accepts TCP connections, never answers
        silent.url, silent.attempts()          # how many connections were attempted
    with AppServer({"DATABASE_URL": ..., "REDIS_URL": ...}) as app:   # gunicorn wsgi:app, own process
        app.url                                # http://127.0.0.1:<port>

Used by tests/cache, the rehearsal and bench/: any caller that needs a Redis it may break, or the app over HTTP.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import redis

START_TIMEOUT = 10.0


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary():
    """$REDIS_SERVER_BIN, else `redis-server` from PATH."""
    binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server not found: install it or set REDIS_SERVER_BIN")
    return binary


class RedisServer:
    """A private redis-server process (no persistence) that a test may stop, restart or pause."""

    def __init__(self, directory=None, port=None, persistent=False):
        self._own_dir = directory is None
        self.persistent = persistent  # append-only file: a restart keeps the data (as Upstash does)
        self.directory = str(directory or tempfile.mkdtemp(prefix="redis-test-"))
        os.makedirs(self.directory, exist_ok=True)
        self.port = port or free_port()
        self.process = None
        self._probe = None
        self.starts = 0  # how many times the process was started (each start begins empty)

    @property
    def url(self):
        """redis://127.0.0.1:<port>/0"""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **kwargs):
        """A plain client for assertions (close it when done)."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, **kwargs)

    def start(self):
        """Start (or start again, on the same port) and wait until it answers PING."""
        if self.process is not None:
            return self
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.persistent else "no", "--dir", self.directory, "--daemonize", "no",
             "--logfile", os.path.join(self.directory, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.starts += 1
        self._wait_ready()
        return self

    def _wait_ready(self):
        """Poll PING until it answers (the process may take a few ms to bind)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode} (port {self.port})")
            try:
                with self.client(socket_connect_timeout=0.2) as probe:
                    if probe.ping():
                        return
            except redis.exceptions.RedisError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    def stop(self):
        """Stop the process (its data goes with it); the port is free again afterwards."""
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self):
        """Stop, then start empty on the same port."""
        self.stop()
        return self.start()

    def pause(self):
        """SIGSTOP: the kernel still accepts connections and buffers commands, nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        """SIGCONT after pause() (harmless otherwise)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    @property
    def probe(self):
        """One long-lived client for measuring, so that measuring opens no connection (HELLO) itself."""
        if self._probe is None:
            self._probe = self.client()
        return self._probe

    def command_stats(self):
        """{command: calls} from INFO commandstats, without the INFO/CONFIG calls of the test itself."""
        stats = self.probe.info("commandstats")
        calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        return {name: n for name, n in calls.items() if not name.startswith(("info", "config"))}

    def reset_stats(self):
        """CONFIG RESETSTAT: start counting commands from zero."""
        self.probe.config_resetstat()

    def close(self):
        """Stop and remove the temp directory."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


class SilentServer:
    """A TCP server that accepts every connection and never sends a byte (a hung Redis).

    The kernel completes each handshake as soon as the client connects; `attempts()` takes them
    off the backlog, so the count is exact without a background thread or a sleep.
    """

    def __init__(self, port=None):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._connections = []

    @property
    def url(self):
        """redis://127.0.0.1:<port>/0"""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """Listen (connections queue up in the backlog, none is ever answered)."""
        self.sock.listen(128)
        self.sock.setblocking(False)
        return self

    def attempts(self):
        """How many connections clients have made so far (all kept open, all silent)."""
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return self.accepted
            self.accepted += 1
            self._connections.append(conn)

    def close(self):
        """Drop every connection and stop listening."""
        self.attempts()
        for conn in self._connections:
            conn.close()
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


class AppServer:
    """The real app in its own process: gunicorn (`wsgi:app`) on a free port, configured by env.

        with AppServer({"DATABASE_URL": ..., "REDIS_URL": ...}) as server:
            requests.get(server.url + "/api/health")
    """

    ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def __init__(self, env, threads=4, port=None, workers=1, app="wsgi:app", config=None):
        self.port = port or free_port()
        self.workers, self.app = workers, app  # the Procfile's shape is WEB_CONCURRENCY (2) workers of wsgi:app
        self.config = ["-c", config] if config else []  # else gunicorn.conf.py, from the root
        self.env = {**os.environ, "SCHEDULER_ENABLED": "false", "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text",
                    "WHATSAPP_TRANSPORT": "dry-run", **{k: str(v) for k, v in env.items()}}
        if "API_TOKEN" not in env:
            self.env.pop("API_TOKEN", None)  # a developer's token would make every request a 401
        self.threads = threads
        self.process = None

    @property
    def url(self):
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        """Start gunicorn (one worker unless told; gunicorn.conf.py's gevent class); return at once."""
        # A file, not a pipe: a pipe nobody reads would block the server once full.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "--threads", str(self.threads),
             "-b", f"127.0.0.1:{self.port}", *self.config, self.app],
            cwd=self.ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)  # its own process group: kill() takes the worker down with the master
        return self

    def kill(self):
        """SIGKILL the master and its worker at once: a crash, nothing runs on the way out."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None
        self.log.close()

    def output(self):
        """The end of the server's stderr (for failure messages)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def wait_ready(self, timeout=30.0):
        """Poll /api/health until it answers 200 (raise with the server's stderr if it died)."""
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app server exited: {self.output()}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"app server on port {self.port} not ready after {timeout}s")

    def stop(self):
        """SIGINT (gunicorn's quick shutdown: idle keep-alive clients would delay a graceful one)."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reap_group()
        self.process = None
        self.log.close()

    def _reap_group(self):
        """SIGKILL whatever is left of the process group: a gthread worker can deadlock in its own SIGINT
        handler (ThreadPoolExecutor.shutdown re-entered from submit) and would outlive the test."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def __enter__(self):
        return self.start().wait_ready()

    def __exit__(self, *exc):
        self.stop()


def stop_all(servers):
    """Stop several servers at once (signal them all, then wait for each)."""
    for server in servers:
        if server.process is not None:
            server.process.send_signal(signal.SIGINT)
    for server in servers:
        server.stop()
