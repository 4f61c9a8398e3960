"""Settings from the environment: database URLs, production secrets, converters; gunicorn and the Procfile."""
import os
import runpy

import pytest

from chatbot import create_app
from chatbot.config import ConfigError, as_bool, as_float, as_int, check, database_url, from_env
from tests.conftest import REDIS_URL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRETS = {"SECRET_KEY": "k" * 32, "API_TOKEN": "api-token", "WHATSAPP_APP_SECRET": "app-secret"}


@pytest.fixture
def env(monkeypatch):
    """The process environment for apps built here: no scheduler, the test Redis; returns monkeypatch."""
    monkeypatch.setenv("SCHEDULER_ENABLED", "false")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    for name in ("APP_ENV", "DATABASE_URL", *SECRETS):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db.example.com:5432/prod", "postgresql+psycopg://u:p@db.example.com:5432/prod"),
    ("postgresql://u:p@db.example.com/prod?sslmode=require",
     "postgresql+psycopg://u:p@db.example.com/prod?sslmode=require"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:////tmp/other.sqlite3", "sqlite:////tmp/other.sqlite3"),
])
def test_database_urls_are_normalised_to_psycopg3(given, expected):
    assert database_url(given, "/srv/instance") == expected


@pytest.mark.parametrize("unset", [None, ""])
def test_default_database_is_sqlite_in_the_instance_folder(unset):
    assert database_url(unset, "/srv/app/instance") == "sqlite:////srv/app/instance/chatbot.sqlite3"


def test_app_without_database_url_uses_its_instance_folder(env):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(app.instance_path, "chatbot.sqlite3")
    assert os.path.isdir(app.instance_path)


def test_app_reads_heroku_database_url(env):
    env.setenv("DATABASE_URL", "postgres://u:p@db.example.com:5432/prod")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example.com:5432/prod"


@pytest.mark.parametrize("missing", [("SECRET_KEY",), ("API_TOKEN",), ("WHATSAPP_APP_SECRET",),
                                     ("SECRET_KEY", "WHATSAPP_APP_SECRET"), tuple(SECRETS)])
def test_production_refuses_to_start_without_its_secrets_naming_each(missing):
    env = {"APP_ENV": "production", **{k: v for k, v in SECRETS.items() if k not in missing}}
    with pytest.raises(ConfigError) as raised:
        check(from_env(env, "/srv/instance"))
    for name in missing:
        assert name in str(raised.value)
    for name in set(SECRETS) - set(missing):
        assert name not in str(raised.value)


def test_production_app_factory_refuses_too(env):
    env.setenv("APP_ENV", "production")
    env.setenv("API_TOKEN", "set")
    with pytest.raises(ConfigError, match="SECRET_KEY, WHATSAPP_APP_SECRET"):
        create_app()


def test_production_with_its_secrets_starts(env, tmp_path):
    for name, value in {"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3", **SECRETS}.items():
        env.setenv(name, value)
    app = create_app()
    assert app.config["SECRET_KEY"] == SECRETS["SECRET_KEY"] and app.config["API_TOKEN"] == "api-token"


def test_development_gets_a_throwaway_secret_key():
    config = from_env({}, "/srv/instance")
    check(config)
    assert config["APP_ENV"] == "development" and len(config["SECRET_KEY"]) >= 32
    other = from_env({}, "/srv/instance")
    check(other)
    assert other["SECRET_KEY"] != config["SECRET_KEY"]


def test_defaults_match_the_contract():
    config = from_env({}, "/srv/instance")
    assert config["REDIS_URL"] == "redis://localhost:6379/0"
    assert config["API_TOKEN"] is None
    assert config["WHATSAPP_TRANSPORT"] == "dry-run"
    assert config["WHATSAPP_API_BASE"] == "https://graph.facebook.com"
    assert config["WHATSAPP_APP_SECRET"] is None and config["WHATSAPP_VERIFY_TOKEN"] is None
    assert config["SCHEDULER_ENABLED"] is True
    assert config["CACHE_TTL_SECONDS"] == 60
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["COMPRESS_MIN_SIZE"] == 500


def test_environment_values_are_converted():
    config = from_env({"REDIS_URL": "rediss://default:pw@eu1.upstash.io:6379", "API_TOKEN": "tok",
                       "WHATSAPP_TRANSPORT": "cloud", "WHATSAPP_API_BASE": "http://127.0.0.1:9999/",
                       "WHATSAPP_API_VERSION": "v20.0", "SCHEDULER_ENABLED": "False", "CACHE_TTL_SECONDS": "15",
                       "REDIS_SOCKET_TIMEOUT": "0.25", "WHATSAPP_VERIFY_TOKEN": "verify"}, "/srv/instance")
    assert config["REDIS_URL"] == "rediss://default:pw@eu1.upstash.io:6379"
    assert config["API_TOKEN"] == "tok" and config["WHATSAPP_VERIFY_TOKEN"] == "verify"
    assert config["WHATSAPP_TRANSPORT"] == "cloud"
    assert config["WHATSAPP_API_BASE"] == "http://127.0.0.1:9999"
    assert config["WHATSAPP_API_VERSION"] == "v20.0"
    assert config["SCHEDULER_ENABLED"] is False
    assert config["CACHE_TTL_SECONDS"] == 15
    assert config["REDIS_SOCKET_TIMEOUT"] == 0.25


def test_empty_secrets_count_as_missing():
    config = from_env({"APP_ENV": "production", **SECRETS, "API_TOKEN": ""}, "/srv/instance")
    assert config["API_TOKEN"] is None
    with pytest.raises(ConfigError, match="API_TOKEN"):
        check(config)


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("TRUE", True), (" yes ", True),
                                             ("on", True), ("0", False), ("false", False), ("no", False),
                                             ("off", False), ("anything", False)])
def test_as_bool(value, expected):
    assert as_bool(value) is expected


def test_converters_fall_back_to_the_default_when_unset():
    assert as_bool(None) is False and as_bool("", default=True) is True
    assert as_int(None, 7) == 7 and as_int("", 7) == 7 and as_int("42", 7) == 42
    assert as_float(None, 0.5) == 0.5 and as_float("", 0.5) == 0.5 and as_float("2.5", 0.5) == 2.5


def test_a_number_that_is_not_one_fails_at_start_naming_the_variable():
    with pytest.raises(ConfigError, match="CACHE_TTL_SECONDS must be an integer, not 'sixty'"):
        from_env({"CACHE_TTL_SECONDS": "sixty"}, "/srv/instance")
    with pytest.raises(ValueError, match="REDIS_SOCKET_TIMEOUT must be a number"):
        from_env({"REDIS_SOCKET_TIMEOUT": "fast"}, "/srv/instance")
    with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE"):
        from_env({"DATABASE_POOL_SIZE": "many"}, "/srv/instance")


def gunicorn_settings(monkeypatch, **env):
    """The module-level settings of gunicorn.conf.py, read with this environment."""
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))


def test_gunicorn_reads_port_and_web_concurrency(monkeypatch):
    settings = gunicorn_settings(monkeypatch, PORT="8123", WEB_CONCURRENCY="5")
    assert settings["bind"] == "0.0.0.0:8123"
    assert settings["workers"] == 5


def test_gunicorn_defaults_without_the_dyno_environment(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["bind"] == "0.0.0.0:5000"
    assert settings["workers"] == 2
    assert settings["preload_app"] is False


def test_procfile_runs_gunicorn_and_migrates_on_release():
    with open(os.path.join(ROOT, "Procfile")) as procfile:
        lines = {line.strip() for line in procfile if line.strip()}
    assert lines == {"web: gunicorn wsgi:app", "release: flask --app wsgi db upgrade"}


def test_wsgi_module_builds_the_app(env):
    namespace = runpy.run_path(os.path.join(ROOT, "wsgi.py"))
    assert namespace["app"].name == "chatbot"
