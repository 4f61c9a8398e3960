"""The load generator's ceiling for bench/webhooks_wrk.py: a bare WSGI app answering every request 200 with a
webhook summary, served by the same gunicorn (gunicorn.conf.py: gevent workers, as many). No Flask, no database,
no Redis: what wrk and gunicorn reach together on this machine, measured in the same run as the app.
Started by bench/webhooks_wrk.py as `gunicorn bench.webhooks_floor:app`."""

BODY = b'{"changed":1,"interactions":0,"messages":0,"statuses":1}'


def app(environ, start_response):
    """Read the body (as the app does), answer 200."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
