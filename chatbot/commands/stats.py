"""flask stats"""
import json

import click
from flask.cli import with_appcontext

from chatbot.services.stats import get_stats


@click.command("stats")
@with_appcontext
def stats_command():
    """Print the statistics JSON (through the cache, like the API)."""
    value, _status = get_stats()
    click.echo(json.dumps(value, indent=2))
