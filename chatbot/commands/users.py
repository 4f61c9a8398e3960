"""flask users create|list|deactivate"""
import sys

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from chatbot.errors import ApiError
from chatbot.models import ROLES
from chatbot.schemas.account import user_in
from chatbot.services import accounts

users_group = AppGroup("users", help="Operator accounts: create, list, deactivate.")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create(email, role, password_stdin):
    """Create a user (the password from a prompt, or stdin: never an argument, which `ps` would show)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = user_in.load({"email": email, "password": password, "role": role})
        user = accounts.create_user(data["email"], data["password"], data["role"])
    except ValidationError as exc:
        raise click.ClickException("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.messages.items())) from exc
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {user.email} ({user.role}), id {user.id}")


@users_group.command("list")
def list_users():
    """Print every user: id, email, role, active, last login."""
    for user in accounts.list_users():
        last = user.last_login_at.isoformat() if user.last_login_at else "never"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{'active' if user.active else 'inactive'}\t{last}")


@users_group.command("deactivate")
@click.argument("email")
def deactivate(email):
    """Deactivate a user: their sessions and tokens stop working at once."""
    try:
        user = accounts.deactivate(email)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    if user is None:
        raise click.ClickException(f"no user {email}")
    click.echo(f"deactivated {user.email}")
