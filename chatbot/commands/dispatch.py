"""flask dispatch (filled in by the dispatch work)."""
import click
from flask.cli import with_appcontext


@click.command("dispatch")
@with_appcontext
def dispatch_command():
    """Send every queued message now; print how many were sent and failed."""
    raise click.ClickException("not implemented yet")
