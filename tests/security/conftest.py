"""Fixtures of the security tests: the cache tests' private redis-server, for outages."""
import pytest

from tests.cache.conftest import redis_server, server_app, server_client  # noqa: F401  (fixtures)


@pytest.fixture
def client_factory(request):
    """Build the app only when called, after the test has changed `app_config`."""
    return lambda: request.getfixturevalue("app").test_client()


@pytest.fixture
def limited_config(app_config):
    """API_TOKEN set, LIMIT failures a minute, one trusted proxy (Heroku's router): for test_auth_limits and
    test_folded_limit."""
    from tests.security.test_auth_limits import LIMIT, TOKEN
    app_config.update(API_TOKEN=TOKEN, AUTH_FAILURE_LIMIT=f"{LIMIT} per minute", TRUSTED_PROXIES=1)
    return app_config
