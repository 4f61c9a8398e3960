"""In-process CPU time per cached request of the three apps of bench/peers.py: a figure the machine's load barely moves.

Each app is imported in this process (ours as `wsgi:app` with API_TOKEN sent, the peers as gunicorn would import
them) and called directly as a WSGI callable with a minimal environ, `--cpu-requests` times per view, the body read
to the end. `time.process_time()` counts this process's CPU only (user + system): another process competing for the
cores makes the run longer rather than the figure larger (a loud machine still moves it ~20 %, through caches and
clock speed: compare the ratios within one run). What it leaves out, alike for all three: gunicorn, the socket
(the sends that are a third of a wrk profile) and Redis's own time; what it keeps: every Python step of a request,
the Redis client's send and parse included. Run by `python -m bench.peers` (after wrk) or alone with `--cpu-only`.
"""
import io
import os
import sys
import time
from contextlib import contextmanager

NAMES = ("ours", "textbook", "floor")


def load_apps(env):
    """{name: WSGI app}, imported with `env` in os.environ (each module reads its settings there)."""
    os.environ.update(env)
    os.environ["SCHEDULER_ENABLED"] = "false"
    import wsgi
    from bench import peers_floor, peers_textbook
    join_local_copies(wsgi.app)
    return {"ours": wsgi.app, "textbook": peers_textbook.app, "floor": peers_floor.app}


def join_local_copies(app, timeout=10.0):
    """With CACHE_LOCAL_COPY on, start this process's subscriber as gunicorn's post_worker_init does, and wait
    until it serves copies (chatbot/cache/local.py)."""
    from chatbot.cache import get_cache, start_local_copy
    local = get_cache(app).local
    if local is None:
        return
    start_local_copy(app)
    deadline = time.monotonic() + timeout
    while time.monotonic() >= local.until:
        if time.monotonic() > deadline:
            raise SystemExit("the local copy did not register in time")
        time.sleep(0.01)


def environ(path, headers):
    """A minimal WSGI environ for GET `path` with `headers`, as gunicorn builds it (HTTP_* keys)."""
    env = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
           "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
           "wsgi.multiprocess": True, "wsgi.run_once": False, "HTTP_HOST": "127.0.0.1:8000"}
    env.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})
    return env


def call(app, env):
    """One request through the WSGI callable: (status line, headers, body bytes)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))
    chunks = app(dict(env), start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], body


@contextmanager
def stderr_to_devnull():
    """The access log lines still formatted and written (their cost counts), to /dev/null instead of the terminal."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def cpu_per_request(app, env, requests):
    """Microseconds of this process's CPU per request, over `requests` requests (after a warm-up)."""
    call(app, env)  # fills the cache if it was empty
    status, headers, _ = call(app, env)
    assert status.startswith("200") and headers.get("X-Cache", "HIT") == "HIT", (status, headers)
    for _ in range(200):
        call(app, env)
    started = time.process_time()
    for _ in range(requests):
        call(app, env)
    return (time.process_time() - started) / requests * 1e6


def measure(env, views, token, requests, rounds=3):
    """{(view, name): best µs per request of `rounds`}, apps interleaved per round."""
    apps = load_apps(env)
    headers = {name: ({"Authorization": f"Bearer {token}"} if name == "ours" and token else {}) for name in NAMES}
    results = {}
    with stderr_to_devnull():
        for _ in range(rounds):
            for view, path in views.items():
                for name in NAMES:
                    figure = cpu_per_request(apps[name], environ(path, headers[name]), requests)
                    results[(view, name)] = min(results.get((view, name), figure), figure)
    return results


def report(results, views, requests):
    """The markdown table of µs per request and the ratios (CPU: lower is better; the ratio is ours' throughput
    share, other/ours)."""
    print(f"\nIn-process CPU per cached request (time.process_time over {requests:,} requests through each WSGI "
          "callable, best of 3 interleaved rounds; no Accept-Encoding, as wrk; ours with the bearer token)\n")
    print("| view | ours µs | textbook µs | floor µs | textbook/ours | floor/ours |\n|---|---|---|---|---|---|")
    for view in views:
        ours, textbook, floor = (results[(view, name)] for name in NAMES)
        print(f"| {view} | {ours:.0f} | {textbook:.0f} | {floor:.0f} | {textbook / ours:.2f}x | {floor / ours:.2f}x |")
