"""gunicorn settings of the peers in bench/peers.py: the production file's (gunicorn.conf.py: gevent workers, their
count, the yield after each request), with a post_worker_init that only freezes the GC as ours does (a peer has no
cache invalidations on record to apply, nor our error pages)."""
import gc
import os

_PRODUCTION = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gunicorn.conf.py")
with open(_PRODUCTION) as _file:
    exec(compile(_file.read(), _PRODUCTION, "exec"))


def post_worker_init(worker):  # noqa: F811  (replaces the production file's)
    """The app's objects out of the cyclic GC, as in production."""
    gc.freeze()
