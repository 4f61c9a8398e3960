"""In-process APScheduler (hourly sweep, dispatch), one runner per job across dynos via a Redis lock."""


def init_app(app):
    """Start the scheduler in web processes when SCHEDULER_ENABLED (filled in by the scheduler work)."""
    app.extensions["scheduler"] = None
