"""The Heroku way, on one machine: the Procfile's processes started by honcho, as a dyno manager would.

`Stack` writes a Procfile variant next to the real one's commands (the `web` line unchanged, wrapped in a loop so
that one web can be restarted like a dyno while honcho keeps the others), runs the release phase, starts
`honcho start -c web=2 web` (honcho gives web.1 the base PORT and web.2 PORT + 1) and reads the processes'
JSON log lines from honcho's output.
"""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOT_TIMEOUT = 30.0


def procfile_commands(path=os.path.join(ROOT, "Procfile")):
    """{process type: command} of a Procfile."""
    commands = {}
    with open(path) as procfile:
        for line in procfile:
            name, sep, command = line.partition(":")
            if sep and not line.startswith("#"):
                commands[name.strip()] = command.strip()
    return commands


def wait_until(predicate, timeout, what, step=0.2):
    """Poll `predicate` until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Web:
    """One web process type instance: its URL, its gunicorn master's pid file, HTTP helpers."""

    def __init__(self, name, port, run_dir, token):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.pid_file = os.path.join(run_dir, f"gunicorn-{port}.pid")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **kwargs):
        """GET through this web."""
        return self.session.get(self.url + path, timeout=5, **kwargs)

    def post(self, path, body=None):
        """POST JSON through this web."""
        return self.session.post(self.url + path, json=body, timeout=5)

    def answers(self):
        """True when /api/health answers 200."""
        try:
            return self.session.get(self.url + "/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def master_pid(self):
        """The running gunicorn master's pid (from its pid file), or None."""
        try:
            with open(self.pid_file) as pid_file:
                return int(pid_file.read().strip())
        except (OSError, ValueError):
            return None


class Stack:
    """honcho running two webs with the scheduler on, one PostgreSQL, one Redis, the local Cloud API."""

    def __init__(self, run_dir, env, token, base_port):
        self.run_dir, self.token, self.base_port = str(run_dir), token, base_port
        # The venv's bin first: the Procfile's `gunicorn` and `flask` are this Python's, activated or not.
        path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
        self.env = {**os.environ, **env, "API_TOKEN": token, "PYTHONUNBUFFERED": "1", "RUN_DIR": self.run_dir,
                    "PATH": path}
        self.log_path = os.path.join(self.run_dir, "honcho.log")
        self.procfile = os.path.join(self.run_dir, "Procfile")
        self.process = None
        self.webs = [Web(f"web.{i + 1}", base_port + i, self.run_dir, token) for i in range(2)]

    def write_procfile(self):
        """The real Procfile's commands; `web` restarts itself when its gunicorn master exits (a dyno restart)."""
        commands = procfile_commands()
        web = commands["web"] + ' --pid "$RUN_DIR/gunicorn-$PORT.pid"'
        with open(self.procfile, "w") as procfile:
            procfile.write(f"release: {commands['release']}\n")
            procfile.write(f"web: while true; do {web}; sleep 1; done\n")

    def honcho(self, *args, **kwargs):
        """A honcho command in the project root with the stack's environment."""
        return [sys.executable, "-m", "honcho", "-f", self.procfile, "-d", ROOT, *args]

    def release(self):
        """The release phase (migrations), as Heroku runs it before the new webs start."""
        done = subprocess.run(self.honcho("start", "release"), cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def start(self):
        """honcho start -c web=2 web; returns when both webs answer."""
        self.write_procfile()
        self.release()
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.honcho("start", "--no-colour", "-p", str(self.base_port), "-c", "web=2", "web"),
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        for web in self.webs:
            wait_until(web.answers, BOOT_TIMEOUT, f"{web.name} to answer on {web.url}")
        return self

    def stop(self):
        """SIGTERM to honcho (it stops every process), SIGKILL to our own group if that takes too long."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        self.log.close()

    def restart_web(self, web):
        """SIGTERM the web's gunicorn master (graceful); its loop starts a new one. Returns the old pid."""
        pid = web.master_pid()
        assert pid, f"no gunicorn pid file for {web.name}"
        os.kill(pid, signal.SIGTERM)
        return pid

    def log_lines(self):
        """The processes' JSON log lines so far: [(process name, record)]."""
        records = []
        with open(self.log_path) as log:
            for line in log:
                prefix, sep, rest = line.partition("| ")
                if not sep or not rest.startswith("{"):
                    continue
                try:
                    records.append((prefix.split()[-1], json.loads(rest)))
                except (ValueError, IndexError):
                    continue
        return records

    def logged(self, prefix):
        """[(process, record, when)] of the records whose message starts with `prefix`."""
        found = []
        for process, record in self.log_lines():
            if str(record.get("message", "")).startswith(prefix):
                when = dt.datetime.strptime(record["asctime"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=dt.timezone.utc)
                found.append((process, record, when))
        return found
