"""`flask sweep`: sweeps now under lock:sweep and prints the summary."""
import datetime as dt
import os
import subprocess
import sys

from chatbot import create_app
from tests.sweep import data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def overdue_campaign(clock, contacts=2):
    """A campaign whose first messages were sent 25 h ago: its id."""
    campaign_id, _ = data.launched(contacts=contacts)
    data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    return campaign_id


def test_flask_sweep_prints_the_summary(runner, clock, redis_client):
    campaign_id = overdue_campaign(clock)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert result.output == "marked 2 messages, completed 1 campaigns in 0 ms\n"
    assert set(data.statuses(campaign_id).values()) == {"no_interaction"}
    assert redis_client.exists("lock:sweep") == 0


def test_flask_sweep_does_nothing_while_another_sweep_holds_the_lock(runner, clock, redis_client):
    campaign_id = overdue_campaign(clock)
    redis_client.set("lock:sweep", "scheduler of another dyno", px=60_000)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0
    assert "lock:sweep is held" in result.output and "--force" in result.output
    assert set(data.statuses(campaign_id).values()) == {"sent"}
    assert redis_client.get("lock:sweep") == b"scheduler of another dyno"


def test_flask_sweep_force_sweeps_despite_the_lock(runner, clock, redis_client):
    overdue_campaign(clock)
    redis_client.set("lock:sweep", "scheduler of another dyno", px=60_000)
    result = runner.invoke(args=["sweep", "--force"])
    assert result.output.startswith("marked 2 messages, completed 1 campaigns")
    assert redis_client.get("lock:sweep") == b"scheduler of another dyno"


def test_flask_sweep_works_without_redis(app_config, clock):
    app_config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app = create_app(app_config)
    with app.app_context():
        overdue_campaign(clock, contacts=3)
        result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.output.startswith("marked 3 messages, completed 1 campaigns")


def test_the_real_flask_sweep_command_sweeps_on_the_system_clock(app, app_config, redis_client):
    now = dt.datetime.now(dt.timezone.utc)  # the subprocess runs on the real clock, not the test's
    campaign_id, _ = data.launched(contacts=2)
    data.send(campaign_id, now - dt.timedelta(hours=24, minutes=1))
    url = app_config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": app_config["REDIS_URL"], "SCHEDULER_ENABLED": "true",
           "LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "sweep"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("marked 2 messages, completed 1 campaigns in ")
    assert done.stdout.rstrip().endswith(" ms")
    assert done.stderr.count('"message": "no interaction: contact ') == 2
    assert "scheduler started" not in done.stderr
    assert set(data.statuses(campaign_id).values()) == {"no_interaction"}
