"""One connection cannot hold a gevent worker: after each request the worker yields to every greenlet that is
ready (gunicorn.conf.py `post_request`). Without it, wrk -c16 on cached stats gave p50 10 ms but p99 450 to
630 ms on this machine; with it (and gc.freeze at worker start) p99 49 to 61 ms (BENCHMARKS.md, issue #14)."""
import gevent
from gunicorn.workers.ggevent import GeventWorker
from gunicorn.workers.sync import SyncWorker

from tests.test_config import gunicorn_settings


def _order_around_post_request(monkeypatch, worker):
    """The order in which a greenlet finishing a request (a) and another ready greenlet (b) run."""
    post_request = gunicorn_settings(monkeypatch)["post_request"]
    order = []

    def finishing():
        order.append("a: answered")
        post_request(worker, None, {}, None)
        order.append("a: next request")

    gevent.joinall([gevent.spawn(finishing), gevent.spawn(lambda: order.append("b"))])
    return order


def test_a_gevent_worker_lets_the_other_greenlets_run_after_each_request(monkeypatch):
    worker = object.__new__(GeventWorker)  # the class gunicorn runs; its state is not needed here
    assert _order_around_post_request(monkeypatch, worker) == ["a: answered", "b", "a: next request"]


def test_other_workers_do_not_touch_gevent(monkeypatch):
    worker = object.__new__(SyncWorker)
    assert _order_around_post_request(monkeypatch, worker) == ["a: answered", "a: next request", "b"]
