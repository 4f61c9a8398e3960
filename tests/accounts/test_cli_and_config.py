"""flask users create|list|deactivate; production without API_TOKEN once an admin exists; the stream's ticket from
a session, and the stream's end with it."""
import pytest

from chatbot import create_app
from chatbot.config import ConfigError
from tests.accounts.conftest import PASSWORD, csrf, login


def test_users_create_list_deactivate(runner, client):
    created = runner.invoke(args=["users", "create", "Ada@Example.com", "--role", "admin", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    again = runner.invoke(args=["users", "create", "ada@example.com", "--role", "viewer", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create", "bob@example.com", "--role", "viewer", "--password-stdin"],
                          input="too short\n")
    assert short.exit_code != 0 and "12" in short.output
    prompted = runner.invoke(args=["users", "create", "cy@example.com", "--role", "operator"],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    listed = runner.invoke(args=["users", "list"]).output
    assert "Ada@Example.com\tadmin\tactive" in listed and "cy@example.com\toperator\tactive" in listed
    assert login(client, "cy@example.com").status_code == 200
    assert runner.invoke(args=["users", "deactivate", "CY@example.com"]).exit_code == 0
    assert client.get("/api/auth/me").status_code == 401
    assert runner.invoke(args=["users", "deactivate", "nobody@example.com"]).exit_code != 0


def test_cli_writes_are_audited_as_cli(runner, app):
    from tests.accounts.test_audit import entries
    runner.invoke(args=["users", "create", "ada@example.com", "--role", "admin", "--password-stdin"],
                  input=PASSWORD + "\n")
    assert entries()[-1][:2] == ("cli", "user.created")


def test_the_api_closes_once_a_user_exists(runner, client):
    assert client.get("/api/categories").status_code == 200  # open: development, nobody yet
    runner.invoke(args=["users", "create", "ada@example.com", "--role", "admin", "--password-stdin"],
                  input=PASSWORD + "\n")
    assert client.get("/api/categories").status_code == 401


def test_another_process_sees_the_first_user_within_the_recheck(app_config, clock, runner):
    other = create_app(app_config)
    with other.app_context():
        assert other.test_client().get("/api/categories").status_code == 200
    runner.invoke(args=["users", "create", "ada@example.com", "--role", "admin", "--password-stdin"],
                  input=PASSWORD + "\n")
    with other.app_context():
        clock.advance(seconds=10)  # AUTH_OPEN_RECHECK_SECONDS
        assert other.test_client().get("/api/categories").status_code == 401


def test_production_needs_api_token_until_an_admin_exists(app_config, runner):
    production = {**app_config, "APP_ENV": "production", "SECRET_KEY": "k" * 32, "WHATSAPP_APP_SECRET": "s"}
    with pytest.raises(ConfigError, match="API_TOKEN"):
        create_app(production)
    runner.invoke(args=["users", "create", "ada@example.com", "--role", "viewer", "--password-stdin"],
                  input=PASSWORD + "\n")
    with pytest.raises(ConfigError, match="API_TOKEN"):
        create_app(production)  # a viewer is not an admin
    runner.invoke(args=["users", "create", "root@example.com", "--role", "admin", "--password-stdin"],
                  input=PASSWORD + "\n")
    app = create_app(production)
    assert app.config["API_TOKEN"] is None
    with app.app_context():
        assert app.test_client().get("/api/categories").status_code == 401


def test_the_stream_ticket_comes_from_a_session_and_the_stream_ends_with_it(request, client, clock, users):
    from tests.live.conftest import StreamReader
    login(client, "viewer@example.com")
    ticket = client.post("/api/events/ticket", headers=csrf(client)).get_json()["ticket"]
    response = client.get(f"/api/events?ticket={ticket}", buffered=False)
    reader = StreamReader(response)
    reader.wait_for(lambda frames: any("event: live" in f for f in frames), "live state")
    assert client.post("/api/auth/logout", headers=csrf(client)).status_code == 204
    clock.advance(seconds=16)  # a heartbeat: the stream checks its credential
    reader.thread.join(timeout=10)
    assert not reader.thread.is_alive(), reader.frames
    assert not any(f.startswith(": ping") for f in reader.frames)
