"""flask dispatch"""
import click
from flask.cli import with_appcontext

from chatbot.messaging.dispatch import run_once
from chatbot.messaging.cloud_api import TransportMisconfigured


@click.command("dispatch")
@with_appcontext
def dispatch_command():
    """Send every queued message now; print how many were sent and failed."""
    try:
        result = run_once()
    except TransportMisconfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {result['sent']}, failed {result['failed']}")
