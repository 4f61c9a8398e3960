"""Settings, read from the environment when the app is built (never at import)."""
import os
import secrets

PRODUCTION_SECRETS = ("SECRET_KEY", "API_TOKEN", "WHATSAPP_APP_SECRET")


class ConfigError(RuntimeError):
    """The environment cannot run the app (e.g. production without its secrets)."""


def as_bool(value, default=False):
    """'1', 'true', 'yes', 'on' (any case) are true; unset is `default`."""
    if value is None or value == "":
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def as_int(value, default):
    """An integer, or `default` when unset."""
    return default if value in (None, "") else int(value)


def as_float(value, default):
    """A float, or `default` when unset."""
    return default if value in (None, "") else float(value)


def as_list(value, default):
    """A comma-separated list (blanks dropped), or `default`'s when unset."""
    text = default if value in (None, "") else value
    return [item.strip() for item in text.split(",") if item.strip()]


class ConfigValueError(ConfigError, ValueError):
    """A variable holds something its converter cannot read."""


def as_limit(value, name="WHATSAPP_MESSAGING_LIMIT"):
    """A positive whole number, or None (no limit) when unset or `unlimited`; anything else stops start-up."""
    if value is None or str(value).strip().lower() in ("", "unlimited"):
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise ConfigValueError(f"{name} must be a positive integer or `unlimited`, not {value!r}")
    return limit


def env_number(env, name, default, kind=int):
    """`kind(env[name])`, or `default` when unset; a bad value stops start-up naming the variable."""
    try:
        return (as_int if kind is int else as_float)(env.get(name), default)
    except ValueError:
        kind_name = "an integer" if kind is int else "a number"
        raise ConfigValueError(f"{name} must be {kind_name}, not {env.get(name)!r}") from None


def database_url(value, instance_path):
    """Normalise DATABASE_URL: Heroku's `postgres://` and plain `postgresql://` use psycopg 3."""
    if not value:
        return "sqlite:///" + os.path.join(instance_path, "chatbot.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def engine_options(env):
    """SQLAlchemy engine options; DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW cap each process's connections
    (SQLAlchemy's defaults, 5 + 10, apply when unset: see the README's sizing for a small Postgres plan)."""
    options = {"pool_pre_ping": True}
    for name, option in (("DATABASE_POOL_SIZE", "pool_size"), ("DATABASE_MAX_OVERFLOW", "max_overflow")):
        if env.get(name) not in (None, ""):
            options[option] = env_number(env, name, None)
    return options


def from_env(env, instance_path):
    """Build the settings mapping from `env` (os.environ in production)."""
    app_env = env.get("APP_ENV", "development")
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "API_TOKEN": env.get("API_TOKEN") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "REDIS_URL": env.get("REDIS_URL", "redis://localhost:6379/0"),
        # Short timeouts: a slow Redis must cost milliseconds, then the circuit breaker opens.
        "REDIS_SOCKET_TIMEOUT": env_number(env, "REDIS_SOCKET_TIMEOUT", 0.5, float),
        "REDIS_CONNECT_TIMEOUT": env_number(env, "REDIS_CONNECT_TIMEOUT", 0.5, float),
        "REDIS_MAX_CONNECTIONS": env_number(env, "REDIS_MAX_CONNECTIONS", 20),
        "REDIS_BREAKER_COOLDOWN": env_number(env, "REDIS_BREAKER_COOLDOWN", 5.0, float),
        "CACHE_TTL_SECONDS": env_number(env, "CACHE_TTL_SECONDS", 60),
        # A per-process copy of cached entries, kept exact by acknowledged invalidations (chatbot/cache/local.py).
        # Every process that writes must announce: set for the whole deployment (on in production), never per process.
        "CACHE_LOCAL_COPY": as_bool(env.get("CACHE_LOCAL_COPY"), app_env == "production"),
        "CACHE_LOCAL_LEASE_SECONDS": env_number(env, "CACHE_LOCAL_LEASE_SECONDS", 2.0, float),
        "CACHE_LOCAL_ACK_SECONDS": env_number(env, "CACHE_LOCAL_ACK_SECONDS", 0.5, float),
        # Pub/Sub channels ignore the database number: apps sharing one Redis need channels of their own.
        "LIVE_CHANNEL": env.get("LIVE_CHANNEL", "events:dashboard"),
        "CACHE_METRICS_FLUSH_SECONDS": env_number(env, "CACHE_METRICS_FLUSH_SECONDS", 5.0, float),
        "WHATSAPP_TRANSPORT": env.get("WHATSAPP_TRANSPORT", "dry-run"),
        "WHATSAPP_TOKEN": env.get("WHATSAPP_TOKEN") or None,
        "WHATSAPP_PHONE_NUMBER_ID": env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
        "WHATSAPP_API_BASE": env.get("WHATSAPP_API_BASE", "https://graph.facebook.com").rstrip("/"),
        "WHATSAPP_API_VERSION": env.get("WHATSAPP_API_VERSION", "v21.0"),
        "WHATSAPP_APP_SECRET": env.get("WHATSAPP_APP_SECRET") or None,
        "WHATSAPP_VERIFY_TOKEN": env.get("WHATSAPP_VERIFY_TOKEN") or None,
        "WHATSAPP_TIMEOUT_SECONDS": env_number(env, "WHATSAPP_TIMEOUT_SECONDS", 10.0, float),
        # Immediate retries of a rate-limited / 5xx / timed-out send (tenacity), then a later dispatch.
        "WHATSAPP_RETRY_ATTEMPTS": env_number(env, "WHATSAPP_RETRY_ATTEMPTS", 3),
        "WHATSAPP_RETRY_WAIT_SECONDS": env_number(env, "WHATSAPP_RETRY_WAIT_SECONDS", 0.5, float),
        # Meta's messaging limit: unique users reached by first messages in a moving 24 h (tier 250 ... 100,000).
        "WHATSAPP_MESSAGING_LIMIT": as_limit(env.get("WHATSAPP_MESSAGING_LIMIT")),
        # Pair rate (131056): about one message per user every 6 s; a refused one waits this, doubling per attempt.
        "WHATSAPP_PAIR_RATE_DELAY_SECONDS": env_number(env, "WHATSAPP_PAIR_RATE_DELAY_SECONDS", 6.0, float),
        # Per dispatching process; DISPATCH_PROCESSES of them may send at once (the scheduler's lock slots), so
        # the number's rate is their product: 1 x 80 by default, 2 x 500 for Meta's 1,000/s on two dynos.
        "DISPATCH_RATE_PER_SECOND": env_number(env, "DISPATCH_RATE_PER_SECOND", 80),
        "DISPATCH_PROCESSES": env_number(env, "DISPATCH_PROCESSES", 1),
        "DISPATCH_BATCH_SIZE": env_number(env, "DISPATCH_BATCH_SIZE", 200),
        "DISPATCH_INTERVAL_SECONDS": env_number(env, "DISPATCH_INTERVAL_SECONDS", 5),
        # Sends in flight at once: at ~0.2 s a Cloud API call, 80/s needs 16 in flight, 1,000/s 200; by default
        # half the rate (Meta's answer may take 0.5 s), at least 32. Senders are made as needed, not up front.
        "DISPATCH_CONCURRENCY": env_number(
            env, "DISPATCH_CONCURRENCY", max(32, env_number(env, "DISPATCH_RATE_PER_SECOND", 80) // 2)),
        # Outcomes are committed in batches: what arrives within this window (or this many), one statement.
        "DISPATCH_OUTCOME_WINDOW_MS": env_number(env, "DISPATCH_OUTCOME_WINDOW_MS", 20.0, float),
        "DISPATCH_OUTCOME_BATCH": env_number(env, "DISPATCH_OUTCOME_BATCH", 200),
        # Webhooks are committed in groups (chatbot/messaging/batcher.py, PostgreSQL): what arrives within this
        # window after the first (or this many notifications), one transaction; each answered once it committed.
        "WEBHOOK_BATCH_WINDOW_MS": env_number(env, "WEBHOOK_BATCH_WINDOW_MS", 5.0, float),
        "WEBHOOK_BATCH_MAX": env_number(env, "WEBHOOK_BATCH_MAX", 500),
        # In a burst (a group this large; 0: never) groups are stored as they came and applied once it eases
        # (chatbot/messaging/intake.py), or between groups once the oldest waited WEBHOOK_DEFER_SECONDS;
        # WEBHOOK_DRAIN_MAX stored notifications per transaction; the scheduler's drain every WEBHOOK_DRAIN_SECONDS.
        "WEBHOOK_DEFER_AT": env_number(env, "WEBHOOK_DEFER_AT", 32),
        "WEBHOOK_DEFER_SECONDS": env_number(env, "WEBHOOK_DEFER_SECONDS", 30.0, float),
        "WEBHOOK_DRAIN_MAX": env_number(env, "WEBHOOK_DRAIN_MAX", 500),
        "WEBHOOK_DRAIN_SECONDS": env_number(env, "WEBHOOK_DRAIN_SECONDS", 5),
        # A claimed batch must be sent within half this lease, or another dispatcher may take it over.
        "DISPATCH_LEASE_SECONDS": env_number(env, "DISPATCH_LEASE_SECONDS", 300),
        "DISPATCH_RETRY_DELAY_SECONDS": env_number(env, "DISPATCH_RETRY_DELAY_SECONDS", 30.0, float),
        "DISPATCH_MAX_ATTEMPTS": env_number(env, "DISPATCH_MAX_ATTEMPTS", 8),
        "SCHEDULER_ENABLED": as_bool(env.get("SCHEDULER_ENABLED"), True),
        "NO_INTERACTION_AFTER_HOURS": env_number(env, "NO_INTERACTION_AFTER_HOURS", 24.0, float),
        "SWEEP_BATCH_SIZE": env_number(env, "SWEEP_BATCH_SIZE", 5000),
        # The sweep's period: the hour of the contract. Shorter only to rehearse it (tests/rehearsal).
        "SWEEP_INTERVAL_SECONDS": env_number(env, "SWEEP_INTERVAL_SECONDS", 3600),
        # How often the maintained counts' deltas are folded (chatbot/services/counts.py): the stats read sums
        # the rows written since, so this bounds their number.
        "STATS_FOLD_SECONDS": env_number(env, "STATS_FOLD_SECONDS", 60),
        # Proxies in front of the app that append to X-Forwarded-For (Heroku's router: 1). 0 trusts none:
        # the client address is the socket's, and a forged X-Forwarded-For changes nothing.
        "TRUSTED_PROXIES": env_number(env, "TRUSTED_PROXIES", 0),
        # Wrong bearer tokens allowed per client address (a `limits` string), then 429 until the window ends.
        "AUTH_FAILURE_LIMIT": env.get("AUTH_FAILURE_LIMIT", "10 per minute"),
        # Failed logins allowed per email and per client address, then 429 until the window ends.
        "LOGIN_FAILURE_LIMIT": env.get("LOGIN_FAILURE_LIMIT", "10 per 15 minutes"),
        "SESSION_HOURS": env_number(env, "SESSION_HOURS", 12.0, float),
        # While the API is open (development: no API_TOKEN, no user yet), how often a process looks for a user
        # created by another process (its own creations close it at once; production never runs open).
        "AUTH_OPEN_RECHECK_SECONDS": env_number(env, "AUTH_OPEN_RECHECK_SECONDS", 10.0, float),
        "SLOW_REQUEST_MS": env_number(env, "SLOW_REQUEST_MS", 500.0, float),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": env.get("LOG_FORMAT", "json"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # The one larger body: POST /api/contacts/import (a CSV of some 200,000 contacts).
        "IMPORT_MAX_BYTES": env_number(env, "IMPORT_MAX_BYTES", 20 * 1024 * 1024),
        # Whole answers (trimmed, any case, accents ignored) that opt a contact out of / back into messages.
        "OPT_OUT_KEYWORDS": as_list(env.get("OPT_OUT_KEYWORDS"), "STOP,STOPP,UNSUBSCRIBE,ARRET,ARRÊT,BAJA,PARAR"),
        "OPT_IN_KEYWORDS": as_list(env.get("OPT_IN_KEYWORDS"), "START"),
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIMETYPES": ["application/json", "text/html", "text/plain", "text/css",
                               "application/javascript", "text/javascript"],
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env),
        "JSON_SORT_KEYS": False,
    }


def check(config, has_admin=lambda: False):
    """Refuse to run production without its secrets; give development a throwaway SECRET_KEY.

    API_TOKEN may be left out of production once an active admin user exists (`has_admin()`, asked only then).
    """
    if config["APP_ENV"] == "production":
        missing = [name for name in PRODUCTION_SECRETS if not config.get(name)]
        if "API_TOKEN" in missing and has_admin():
            missing.remove("API_TOKEN")
        if missing:
            raise ConfigError("APP_ENV=production needs " + ", ".join(missing) + " to be set")
    if not str(config.get("LIVE_CHANNEL", "events:")).startswith("events:"):
        raise ConfigError("LIVE_CHANNEL must start with events: (the only Pub/Sub prefix this app owns)")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secrets.token_hex(32)
