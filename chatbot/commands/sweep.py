"""flask sweep: the hourly no-interaction check, now."""
import click
from flask.cli import with_appcontext

from chatbot.scheduler.jobs import SWEEP_LOCK, locked_sweep


@click.command("sweep")
@click.option("--force", is_flag=True,
              help=f"Sweep even while another process holds {SWEEP_LOCK} (safe: the sweep is idempotent).")
@with_appcontext
def sweep_command(force):
    """Run the no-interaction check now; print how many messages were marked and campaigns completed."""
    summary = locked_sweep(force=force)
    if summary is None:
        click.echo(f"another sweep is running ({SWEEP_LOCK} is held): nothing done; --force sweeps anyway")
        return
    click.echo(f"marked {summary['marked']} messages, completed {summary['completed']} campaigns "
               f"in {summary['duration_ms']:.0f} ms")
