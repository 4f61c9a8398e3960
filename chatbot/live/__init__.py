"""Live dashboards: every committed write is pushed to every open dashboard, in every process.

1. `publish.py`: an after-commit effect of the unit of work sends the write's events (the names of
   chatbot/events.py with their ids), one message per unit of work, on the Redis Pub/Sub channel
   `events:dashboard`.
2. `hub.py`: one subscriber connection per process fans the messages out to the process's open streams,
   and samples the cache metrics every 2 s while anyone watches.
3. `stream.py`: each `GET /api/events` is a Server-Sent Events stream that merges what arrives into at most
   one event set per 250 ms, sends heartbeats, and says `resync` (reconnect, Redis back) and
   `degraded` (Redis away) so that the dashboard knows when to refetch everything.
4. `tickets.py`: EventSource sends no Authorization header and URLs end up in logs, so the stream takes a
   short-lived, single-use, signed ticket obtained with the usual credentials.
"""
from chatbot import unit_of_work
from chatbot.live.hub import Hub
from chatbot.live.publish import publish


def init_app(app):
    """Publish after every commit; one hub per app, started by the first stream."""
    unit_of_work.on_after_commit(app, publish)
    app.extensions["live_hub"] = Hub(app)


def get_hub(app):
    """This app's hub."""
    return app.extensions["live_hub"]


def open_stream(credential, resync):
    """The SSE response of one dashboard: attached to the hub until the client goes or its credential does."""
    from flask import Response, current_app

    from chatbot import auth
    from chatbot.clock import get_clock
    from chatbot.live.stream import Stream
    app = current_app._get_current_object()
    hub = get_hub(app)

    def still_valid():
        with app.app_context():
            return auth.credential_valid(credential)
    stream = Stream(hub, hub.attach(), get_clock(app), resync=resync, still_valid=still_valid)
    return Response(iter(stream), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
