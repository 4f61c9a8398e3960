"""flask seed demo --contacts N --messages M --categories K"""
import click
from flask.cli import AppGroup

from chatbot.seed import SeedError, seed_demo

seed_group = AppGroup("seed", help="Fill the database with realistic demo data.")


@seed_group.command("demo")
@click.option("--contacts", type=click.IntRange(min=0), default=1_000, show_default=True)
@click.option("--messages", type=click.IntRange(min=0), default=10_000, show_default=True)
@click.option("--categories", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--seed", type=int, default=None, help="Random seed: the same seed gives the same data.")
def demo(contacts, messages, categories, seed):
    """Add demo contacts, categories, campaigns, messages and interactions over the last 30 days."""
    try:
        result = seed_demo(contacts, messages, categories, seed=seed, progress=click.progressbar)
    except SeedError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"seeded {result['categories']} categories, {result['contacts']} contacts, "
               f"{result['campaigns']} campaigns, {result['messages']} messages and "
               f"{result['interactions']} interactions in {result['seconds']} s")
