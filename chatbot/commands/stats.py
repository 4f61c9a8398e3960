"""flask stats [verify|rebuild]"""
import json

import click
from flask.cli import AppGroup, with_appcontext

from chatbot.scheduler.jobs import STATS_LOCK, locked_counts
from chatbot.services import counts
from chatbot.services.stats import get_stats


@click.group("stats", cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def stats_group(ctx):
    """Print the statistics JSON (through the cache, like the API); `verify` and `rebuild` check the counts."""
    if ctx.invoked_subcommand is None:
        value, _status = get_stats()
        click.echo(json.dumps(value, indent=2))


def print_drift(drifts):
    """One line per key whose maintained count differs from the recount; how many there were."""
    found = 0
    for target, keys in drifts.items():
        for key, (maintained, counted) in keys.items():
            label = f"category {key}" if target == "category_counts" else key
            click.echo(f"{label}: maintained {maintained}, counted {counted} ({maintained - counted:+d})")
            found += 1
    return found


@stats_group.command("verify")
def verify():
    """Recount from the tables and print every maintained count that differs; exit 1 if any does."""
    if print_drift(counts.drift()):
        raise SystemExit(1)
    click.echo("maintained counts match a full recount")


@stats_group.command("rebuild")
def rebuild():
    """Replace the maintained counts by a full recount (one transaction, writers held off meanwhile)."""
    repaired = locked_counts(counts.rebuild, wait=True)
    if repaired is None:
        raise click.ClickException(f"{STATS_LOCK} is held by another process: try again")
    found = print_drift(repaired)
    click.echo(f"rebuilt: {found} key{'s' if found != 1 else ''} repaired")
