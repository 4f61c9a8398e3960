"""GET /api/health and the dashboard at /."""
import pytest

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


def test_health_reports_database_and_redis(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.fixture
def redis_down(app_config):
    """The test app pointed at a Redis that does not answer."""
    app_config["REDIS_URL"] = DEAD_REDIS
    return app_config


def test_health_without_redis_is_degraded_not_failed(redis_down, client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "unavailable"}


def test_dashboard_serves_the_built_index(app, client, tmp_path):
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "index.html").write_text("<!doctype html><div id=root data-built=yes></div>")
    app.static_folder = str(tmp_path)
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"data-built=yes" in response.get_data()
    assert response.headers["Cache-Control"] == "no-cache"


def test_dashboard_not_built_says_how_to_build_it(app, client, tmp_path):
    app.static_folder = str(tmp_path)
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "not built" in page
    assert "npm --prefix frontend ci" in page and "npm --prefix frontend run build" in page
