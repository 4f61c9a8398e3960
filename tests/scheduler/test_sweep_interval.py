"""SWEEP_INTERVAL_SECONDS: the hour by default; a shorter period (the rehearsal's) fires in step everywhere."""
import datetime as dt

from apscheduler.triggers.cron import CronTrigger

from chatbot.scheduler.jobs import definitions, sweep_marker

UTC = dt.timezone.utc
BASE = {"DISPATCH_INTERVAL_SECONDS": 5}


def sweep_definition(**config):
    """The sweep job's definition for this config."""
    return next(d for d in definitions({**BASE, **config}) if d["id"] == "chatbot.sweep")


def test_default_is_the_hourly_cron_and_its_hour_marker():
    """Unset or 3600: minute 0 of every hour, marker lock:sweep:hour:<hour>, kept two hours."""
    assert isinstance(sweep_definition()["trigger"], CronTrigger)
    assert isinstance(sweep_definition(SWEEP_INTERVAL_SECONDS=3600)["trigger"], CronTrigger)
    now = dt.datetime(2026, 5, 1, 13, 59, 59, tzinfo=UTC)
    assert sweep_marker(now, 3600) == ("lock:sweep:hour:2026-05-01T13", 7200)


def test_a_short_interval_fires_at_the_same_instants_in_every_process():
    """Two processes started at different times get the same fire times: multiples of the period since 1970."""
    trigger = sweep_definition(SWEEP_INTERVAL_SECONDS=3)["trigger"]
    for started in (dt.datetime(2026, 5, 1, 12, 0, 0, 400000, tzinfo=UTC),
                    dt.datetime(2026, 5, 1, 12, 0, 1, 900000, tzinfo=UTC)):
        fire = trigger.get_next_fire_time(None, started)
        assert fire == dt.datetime(2026, 5, 1, 12, 0, 3, tzinfo=UTC)
    assert sweep_definition(SWEEP_INTERVAL_SECONDS=3)["misfire_grace_time"] == 3


def test_one_marker_per_slot():
    """Every instant of a slot shares its marker; the next slot has another; it outlives its slot."""
    first = dt.datetime(2026, 5, 1, 12, 0, 3, tzinfo=UTC)
    key, ttl = sweep_marker(first, 3)
    assert sweep_marker(first + dt.timedelta(seconds=2.9), 3)[0] == key
    assert sweep_marker(first + dt.timedelta(seconds=3), 3)[0] != key
    assert key == f"lock:sweep:slot:3:{int(first.timestamp())}" and ttl == 6
