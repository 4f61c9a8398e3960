"""flask dispatch"""
import click
from flask.cli import with_appcontext

from chatbot.services.dispatch import run_once


@click.command("dispatch")
@with_appcontext
def dispatch_command():
    """Send every queued message now; print how many were sent and failed."""
    result = run_once()
    click.echo(f"sent {result['sent']}, failed {result['failed']}")
