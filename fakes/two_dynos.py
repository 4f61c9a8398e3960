"""Two web dynos, one campaign (issue 17, point 4): the Procfile's `web` twice (gunicorn, one worker each, the
scheduler on, DISPATCH_PROCESSES=2 so both dispatch at once), the stand-alone Cloud API (fakes/cloud_api_server.py)
answering after its latency, and Meta's status webhooks (sent, delivered, read for every wamid the Cloud API
handed out, signed) posted at full speed to both dynos in turn while the campaign goes out.

`rehearse(...)` runs it and returns a `Rehearsal` with what the checks need: POSTs per recipient, the webhooks'
answers, the messages' statuses and counters against a recount, `flask stats verify`. Shared by
tests/rehearsal/test_two_dynos.py (a small campaign) and bench/rehearsal_dispatch.py (20,000 messages).
"""
import csv
import dataclasses
import io
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

import requests
from sqlalchemy import create_engine, text

from fakes import meta
from fakes.cloud_api import API_VERSION, PHONE_NUMBER_ID, TOKEN as CLOUD_TOKEN
from fakes.dyno import ROOT, TOKEN, WebDyno

SECRET = "two-dynos-app-secret"
STATUSES = ("sent", "delivered", "read")


class StandaloneCloud:
    """fakes/cloud_api_server.py in a process of its own (it must serve well over 1,000 requests/s)."""

    def __init__(self, latency):
        self.process = subprocess.Popen([sys.executable, "-m", "fakes.cloud_api_server", "--latency", str(latency)],
                                        cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def get(self, path):
        """A JSON answer of the fake's own routes."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)

    def stats(self):
        """{"times": arrival of every POST, "most_sends", "doubled"}."""
        return self.get("/__stats")

    def sent(self, start):
        """[recipient, wamid] of the accepted messages from the `start`-th on."""
        return self.get(f"/__sent?from={start}")["sent"]

    def config(self):
        """The app's settings for sending through it."""
        return {"WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_API_BASE": self.url, "WHATSAPP_TOKEN": CLOUD_TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID, "WHATSAPP_API_VERSION": API_VERSION}

    def stop(self):
        """Stop the process."""
        self.process.terminate()
        self.process.wait(timeout=10)


class StatusPoster:
    """Threads posting a signed webhook per status (sent, delivered, read) of each wamid the Cloud API handed out,
    to the dynos in turn, as fast as they answer; a feeder polls the Cloud API until `expected` wamids came."""

    def __init__(self, cloud, urls, threads, expected):
        self.cloud, self.urls, self.expected = cloud, urls, expected
        self.work = queue.SimpleQueue()
        self.seen = 0
        self.answers, self.failures, self.errors = {}, [], []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._feed, daemon=True)]
        self.threads += [threading.Thread(target=self._post, args=(i,), daemon=True) for i in range(threads)]

    def start(self):
        """Start feeding and posting."""
        for thread in self.threads:
            thread.start()
        return self

    def _feed(self):
        """Queue every new [recipient, wamid] until the expected number came (or `done` gives up), then one stop
        mark per poster. A wamid is in the fake's log once answered, 0.2 s after its POST arrived."""
        while self.seen < self.expected and not self.done.is_set():
            new = self.cloud.sent(self.seen)
            self.seen += len(new)
            for item in new:
                self.work.put(item)
            time.sleep(0.05)  # a poll of the fake's log, not a wait for an event of ours
        for _ in self.threads[1:]:
            self.work.put(None)

    def _post(self, index):
        """Post the statuses of queued wamids, alternating dynos."""
        session = requests.Session()
        turn = index
        while (item := self.work.get()) is not None:
            phone, wamid = item
            for name in STATUSES:
                raw = json.dumps(meta.notification(statuses=[meta.status(wamid, name, now(), phone)])).encode()
                turn += 1
                self._send(session, self.urls[turn % len(self.urls)], raw)

    def _send(self, session, url, raw):
        """One webhook; its answer counted (a non-2xx or an exception kept for the report)."""
        try:
            response = session.post(url + meta.URL, data=raw, timeout=30, headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": meta.sign(raw, SECRET)})
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(repr(exc))
            return
        with self.lock:
            self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
            if not 200 <= response.status_code < 300:
                self.failures.append((response.status_code, response.text[:200]))

    def finish(self, timeout):
        """Wait until every expected wamid's statuses are posted; False (and the feeder told to stop) if that took
        over `timeout` seconds."""
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(deadline - time.monotonic(), 0))
        self.done.set()
        return not any(thread.is_alive() for thread in self.threads)


def now():
    """The current UTC time (Meta's status timestamps)."""
    import datetime as dt
    return dt.datetime.now(dt.timezone.utc)


def wait_until(predicate, timeout, what, step=0.1):
    """Poll `predicate` until true; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


@dataclasses.dataclass
class Rehearsal:
    """What a rehearsal saw."""

    contacts: int
    booted_in: float = 0.0  # seconds from the release phase to both dynos answering
    launched_at: float = 0.0  # monotonic, when the launch answered
    posted_at: float = 0.0  # monotonic, when the last webhook was answered
    applied_at: float = 0.0  # monotonic, when every status was seen applied
    posts: list = dataclasses.field(default_factory=list)  # monotonic arrival of each POST at the Cloud API
    doubled: int = 0  # recipients POSTed more than once
    webhooks: dict = dataclasses.field(default_factory=dict)  # HTTP status -> count
    failures: list = dataclasses.field(default_factory=list)  # non-2xx answers (status, text)
    errors: list = dataclasses.field(default_factory=list)  # webhooks that got no answer
    statuses: dict = dataclasses.field(default_factory=dict)  # message status -> count
    counters: dict = dataclasses.field(default_factory=dict)  # the campaign's counters
    recount: dict = dataclasses.field(default_factory=dict)  # the same, counted from the messages
    verify: tuple = (None, "")  # `flask stats verify`: (exit code, output)
    dispatched: list = dataclasses.field(default_factory=list)  # messages each dyno logged as sent


def logged_sent(dyno):
    """How many messages a dyno's dispatch runs logged as sent ("dispatch: N sent, M failed")."""
    dyno.log.seek(0)
    return sum(int(n) for n in re.findall(rb"dispatch: (\d+) sent", dyno.log.read()))


def dyno_env(database_url, redis_url, cloud, rate_per_dyno, batch):
    """The dynos' environment: the scheduler dispatching every second in two slots at `rate_per_dyno` each."""
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "API_TOKEN": TOKEN, "SCHEDULER_ENABLED": "true",
            "WHATSAPP_APP_SECRET": SECRET, "DISPATCH_PROCESSES": "2", "DISPATCH_RATE_PER_SECOND": str(rate_per_dyno),
            "DISPATCH_CONCURRENCY": str(max(32, rate_per_dyno // 2)), "DISPATCH_BATCH_SIZE": str(batch),
            "DISPATCH_INTERVAL_SECONDS": "1", "LOG_LEVEL": "INFO", **cloud.config()}


def flask(env, *args):
    """`flask --app wsgi ...` with the dynos' environment (no scheduler); (exit code, output)."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env, "SCHEDULER_ENABLED": "false"})
    return done.returncode, done.stdout + done.stderr


def launch(web, count):
    """Import `count` contacts in one category (one CSV), create and launch a campaign to them; its id."""
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["phone", "name", "categories"])
    writer.writerows([f"+1415{3000000 + i:07d}", f"Rehearsal {i}", "Two dynos"] for i in range(count))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    imported = session.post(web.url + "/api/contacts/import", data=rows.getvalue().encode(), timeout=300,
                            headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200 and imported.json()["created"] == count, imported.text[:500]
    category = next(c for c in session.get(web.url + "/api/categories", timeout=30).json()["items"]
                    if c["name"] == "Two dynos")
    campaign = session.post(web.url + "/api/campaigns", timeout=30, json={
        "name": "Two dynos", "category_ids": [category["id"]], "first_message": {"text": "Hello"},
        "second_message": {"text": "Thanks"}})
    assert campaign.status_code == 201, campaign.text
    launched = session.post(web.url + f"/api/campaigns/{campaign.json()['id']}/launch", timeout=300)
    assert launched.status_code == 202, launched.text
    return campaign.json()["id"]


def read_back(engine, campaign_id, report):
    """The campaign's messages by status, its counters, and the same counted from its first messages."""
    with engine.connect() as conn:
        report.statuses = dict(conn.execute(text(
            "SELECT status, count(*) FROM messages WHERE campaign_id = :c GROUP BY status"), {"c": campaign_id}).all())
        row = conn.execute(text("SELECT sent_count, delivered_count, read_count, failed_count FROM campaigns "
                                "WHERE id = :c"), {"c": campaign_id}).one()
        report.counters = dict(row._mapping)
        recount = conn.execute(text(
            "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FILTER (WHERE delivered_at IS NOT NULL),"
            " count(*) FILTER (WHERE read_at IS NOT NULL), count(*) FILTER (WHERE status IN ('failed',"
            " 'no_interaction')) FROM messages WHERE campaign_id = :c AND step = 1"), {"c": campaign_id}).one()
        report.recount = dict(zip(report.counters, recount))


def rehearse(database_url, redis_url, contacts, rate_per_dyno=500, latency=0.2, posters=8, batch=500, timeout=300):
    """Run the rehearsal; the Rehearsal report (the caller asserts or prints)."""
    report = Rehearsal(contacts)
    cloud = StandaloneCloud(latency)
    env = dyno_env(database_url, redis_url, cloud, rate_per_dyno, batch)
    dynos, engine = [], create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        started = time.monotonic()
        code, output = flask(env, "db", "upgrade")  # the release phase
        assert code == 0, output[-2000:]
        dynos = [WebDyno(env, workers=1).start(timeout=60) for _ in range(2)]
        report.booted_in = time.monotonic() - started
        poster = StatusPoster(cloud, [d.url for d in dynos], posters, contacts).start()
        campaign_id = launch(dynos[0], contacts)
        report.launched_at = time.monotonic()
        wait_until(lambda: len(cloud.stats()["times"]) >= contacts, timeout, "every message to be POSTed", 0.5)
        finished = poster.finish(timeout)
        report.posted_at = time.monotonic()
        report.webhooks, report.failures, report.errors = poster.answers, poster.failures, poster.errors
        assert finished, "the status posters did not finish"
        wait_until(lambda: read_back(engine, campaign_id, report) or report.statuses == {"read": contacts},
                   timeout, "every status to be applied", 0.5)
        report.applied_at = time.monotonic()
        stats = cloud.stats()
        report.posts, report.doubled = stats["times"], stats["doubled"]
        report.verify = flask(env, "stats", "verify")
        report.dispatched = [logged_sent(d) for d in dynos]
    finally:
        for dyno in dynos:
            dyno.stop()
        cloud.stop()
        engine.dispose()
    return report
