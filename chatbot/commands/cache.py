"""flask cache flush|stats"""
import json

import click
from flask.cli import AppGroup

from chatbot.cache import get_cache, get_metrics
from chatbot.cache.keys import NAMESPACES
from chatbot.redis_store import RedisUnavailable

cache_group = AppGroup("cache", help="Inspect and flush our cache (only cache:* keys).")


@cache_group.command("flush")
@click.option("--namespace", type=click.Choice([*NAMESPACES, "all"]), default="all", show_default=True)
def flush(namespace):
    """Delete cache:<namespace>:* (or all of cache:*) and print how many keys went."""
    try:
        deleted = get_cache().flush(None if namespace == "all" else namespace)
    except RedisUnavailable as exc:
        raise click.ClickException(f"redis unavailable ({exc}): nothing flushed") from exc
    click.echo(f"deleted {deleted} keys from cache:{'' if namespace == 'all' else namespace + ':'}*")


@cache_group.command("stats")
def stats():
    """Print the cache metrics as JSON."""
    click.echo(json.dumps(get_metrics().snapshot(), indent=2))
