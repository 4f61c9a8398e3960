"""SO_REUSEPORT in production: each worker accepts on a listening socket of its own, so the kernel spreads new
connections between the workers instead of the first one awake taking a burst of them (bench/events.py)."""
import pytest

from tests.conftest import REDIS_URL
from tests.test_config import gunicorn_settings
from fakes.dyno import WebDyno

LISTEN = "0A"  # the TCP state column of /proc/net/tcp


def listening_sockets(port):
    """The inodes of the IPv4 sockets listening on `port` (one per bound socket, whoever holds it)."""
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return {row[9] for row in rows if int(row[1].rsplit(":", 1)[1], 16) == port and row[3] == LISTEN}


def test_reuse_port_is_on_in_production_only_unless_said(monkeypatch):
    assert gunicorn_settings(monkeypatch)["reuse_port"] is False
    assert gunicorn_settings(monkeypatch, APP_ENV="production")["reuse_port"] is True
    assert gunicorn_settings(monkeypatch, APP_ENV="production", GUNICORN_REUSE_PORT="false")["reuse_port"] is False
    assert gunicorn_settings(monkeypatch, GUNICORN_REUSE_PORT="true")["reuse_port"] is True


@pytest.mark.parametrize("reuse_port, sockets", [("true", 2), ("false", 1)])
def test_with_reuse_port_each_worker_listens_on_its_own_socket(pg_url, reuse_port, sockets):
    dyno = WebDyno({"DATABASE_URL": pg_url, "REDIS_URL": REDIS_URL, "SCHEDULER_ENABLED": "false",
                    "GUNICORN_REUSE_PORT": reuse_port}).start()
    try:
        assert len(listening_sockets(dyno.port)) == sockets
    finally:
        dyno.stop()
