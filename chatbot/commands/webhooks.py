"""flask webhooks (apply the stored webhooks now), `aside` (list those set aside), `retry [ID...]` (back in line)"""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from chatbot.messaging import intake
from chatbot.principals import on_nobodys_behalf
from chatbot.schemas.fields import iso


@click.group("webhooks", cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def webhooks_group(ctx):
    """Apply the webhooks stored in a burst now; print how many, and what is left. `aside`, `retry`: the failed."""
    if ctx.invoked_subcommand is not None:
        return
    on_nobodys_behalf()  # Meta's data: no audit row, as in the batcher
    applied = intake.drain_all(current_app.config["WEBHOOK_DRAIN_MAX"])
    waiting, aside = intake.backlog()
    click.echo(f"applied {applied}; waiting {waiting}, set aside {aside}")


@webhooks_group.command("aside")
def aside_command():
    """List the stored webhooks set aside (they failed alone): id, arrival, error."""
    rows = intake.set_aside()
    for row in rows:
        click.echo(f"webhook {row.id}  received {iso(row.received_at)}  set aside {iso(row.failed_at)}  {row.error}")
    click.echo(f"{len(rows)} webhook(s) set aside")


@webhooks_group.command("retry")
@click.argument("ids", nargs=-1, type=int)
def retry_command(ids):
    """Put the webhooks set aside (these IDs, or all) back in line; the next drain applies them."""
    click.echo(f"back in line: {intake.retry(list(ids) or None)}")
