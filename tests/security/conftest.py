"""Fixtures of the security tests: the cache tests' private redis-server, for outages."""
import pytest

from tests.cache.conftest import redis_server, server_app, server_client  # noqa: F401  (fixtures)


@pytest.fixture
def client_factory(request):
    """Build the app only when called, after the test has changed `app_config`."""
    return lambda: request.getfixturevalue("app").test_client()
