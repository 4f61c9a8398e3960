"""The CLI of the contract: `flask --app wsgi cache|stats|dispatch|sweep|seed`."""
from chatbot.commands import cache, stats


def init_app(app):
    """Add each group/command to `flask`."""
    app.cli.add_command(cache.cache_group)
    app.cli.add_command(stats.stats_command)
