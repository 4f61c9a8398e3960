"""Fixtures of the cache tests: a private redis-server the test may break, and an app pointed at it."""
import pytest

from fakes.servers import RedisServer, SilentServer
from tests import foreign


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway redis-server holding other programs' keys, checked unchanged at the end.

    The check runs only if the server still holds its first life's data (a restart empties it).
    """
    server = RedisServer(tmp_path / "redis").start()
    foreign.plant(server.probe)
    try:
        yield server
        if server.process is not None and server.starts == 1:
            foreign.assert_untouched(server.probe)
    finally:
        server.close()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    with SilentServer() as server:
        yield server


@pytest.fixture
def fast_timeouts(app_config):
    """Short Redis timeouts so a hung server costs 0.2 s, not 0.5 s."""
    app_config.update(REDIS_SOCKET_TIMEOUT=0.2, REDIS_CONNECT_TIMEOUT=0.2)
    return app_config


@pytest.fixture
def server_app(request, app_config, redis_server):
    """The test app, using the private redis-server instead of the shared one."""
    app_config["REDIS_URL"] = redis_server.url
    app = request.getfixturevalue("app")
    assert app.config["REDIS_URL"] == redis_server.url, "request server_app before anything that builds `app`"
    return app


@pytest.fixture
def server_client(server_app):
    """Test client of `server_app`."""
    return server_app.test_client()
