"""flask contacts import FILE"""
import io
import os
import sys

import click
from flask.cli import AppGroup

from chatbot.errors import ApiError
from chatbot.services.contact_import import import_contacts

contacts_group = AppGroup("contacts", help="Import contacts from a CSV file.")


class CountingReader(io.RawIOBase):
    """A binary file that reports each read's size (the progress bar moves with the bytes read)."""

    def __init__(self, raw, on_read):
        self.raw, self.on_read = raw, on_read

    def readable(self):
        return True

    def readinto(self, buffer):
        count = self.raw.readinto(buffer)
        self.on_read(count or 0)
        return count


@contacts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(file):
    """Create or update contacts from FILE (columns phone,name,categories), like POST /api/contacts/import."""
    bar = click.progressbar(length=os.path.getsize(file), label="importing", file=sys.stderr)
    with open(file, "rb") as raw, bar:
        try:
            summary = import_contacts(io.BufferedReader(CountingReader(raw, bar.update)))
        except ApiError as exc:
            raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from None
    click.echo(f"created {summary['created']}, updated {summary['updated']}, unchanged {summary['unchanged']}, "
               f"rejected {len(summary['rejected'])}")
    for row in summary["rejected"]:
        click.echo(f"line {row['line']} ({row['phone']}): {row['error']}")
