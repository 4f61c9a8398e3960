"""flask dispatch (send the queue now); flask dispatch audit [--resend | --mark-sent] [ID...] (messages in doubt)"""
import click
from flask.cli import AppGroup, with_appcontext

from chatbot.logging import mask_phone
from chatbot.messaging import audit
from chatbot.messaging.dispatch import run_once
from chatbot.messaging.cloud_api import TransportMisconfigured
from chatbot.schemas.fields import iso


@click.group("dispatch", cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def dispatch_command(ctx):
    """Send every queued message now; print how many were sent and failed. `audit`: the messages in doubt."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        result = run_once()
    except TransportMisconfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {result['sent']}, failed {result['failed']}")


@dispatch_command.command("audit")
@click.option("--resend", "action", flag_value="resend", help="Queue these messages again (sent now).")
@click.option("--mark-sent", "action", flag_value="mark_sent", help="Count these messages sent; never resend.")
@click.argument("ids", nargs=-1, type=int)
def audit_command(action, ids):
    """List the messages that may have been sent (a dispatcher died mid-attempt), or settle the IDs given."""
    if action is None:
        if ids:
            raise click.UsageError("IDs go with --resend or --mark-sent")
        found = audit.in_doubt()
        for row in found:
            click.echo(f"message {row.id}  campaign {row.campaign_id}  contact {row.contact_id} "
                       f"({mask_phone(row.phone)})  step {row.step}  attempt started "
                       f"{iso(row.attempt_started_at)}  may have been sent")
        click.echo(f"{len(found)} message(s) in doubt")
        return
    if not ids:
        raise click.UsageError(f"--{action.replace('_', '-')} needs message IDs (from `flask dispatch audit`)")
    done = audit.resend(list(ids)) if action == "resend" else audit.mark_sent(list(ids))
    skipped = sorted(set(ids) - set(done))
    click.echo(f"{'queued again' if action == 'resend' else 'marked sent'}: {len(done)}"
               + (f"; not in doubt (skipped): {' '.join(map(str, skipped))}" if skipped else ""))
