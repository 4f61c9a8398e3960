"""Gunicorn settings read from the dyno's environment (Heroku sets PORT and WEB_CONCURRENCY)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Each worker builds its own app (and so its own Redis pool and scheduler): preloading would
# share sockets opened in the master across forks.
preload_app = False
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "false").lower() in ("1", "true", "yes") else None
# Path without the query string: gunicorn's access log bypasses our masking, and queries carry secrets and
# numbers (`hub.verify_token=`, `search=+1415...`).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Before a worker serves: apply cache invalidations left on record by a process that died in an outage."""
    from chatbot.cache import drain_at_start
    drain_at_start(worker.wsgi)
