"""Every page URL of the dashboard (its router's paths) serves index.html; /api and /static keep their own answers."""
import pytest

INDEX = "<!doctype html><div id=root data-built=yes></div>"
ASSET = "console.log('asset')"


@pytest.fixture
def built(app, tmp_path):
    """A built dashboard: index.html and one hashed asset, as `npm run build` leaves them."""
    (tmp_path / "dashboard" / "assets").mkdir(parents=True)
    (tmp_path / "dashboard" / "index.html").write_text(INDEX)
    (tmp_path / "dashboard" / "assets" / "index-abc123.js").write_text(ASSET)
    app.static_folder = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", ["/campaigns", "/campaigns/new", "/campaigns/12", "/campaigns/12/edit", "/answers",
                                  "/contacts", "/campaigns/12?tab=answers", "/apiary", "/answers/api",
                                  "/v1.2/campaigns"])
def test_a_page_url_opened_directly_serves_the_dashboard(built, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.get_data(as_text=True) == INDEX
    assert response.headers["Cache-Control"] == "no-cache"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api", "/api/nothing-here", "/api/campaigns/12/nothing", "/favicon.ico",
                                  "/campaigns/logo.png"])
def test_an_unknown_api_path_or_file_stays_a_json_404(built, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/events/ticket", "/api/campaigns"])
def test_a_get_on_an_api_route_without_one_stays_a_405(built, client, path):
    response = client.delete(path) if path == "/api/campaigns" else client.get(path)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert response.headers["Allow"]


def test_static_assets_are_still_served_as_files(built, client):
    response = client.get("/static/dashboard/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == ASSET
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers.get("ETag") and response.headers.get("Last-Modified")
    assert client.get("/static/dashboard/assets/missing.js").status_code == 404


def test_a_page_url_says_how_to_build_when_not_built(app, client, tmp_path):
    app.static_folder = str(tmp_path)
    response = client.get("/campaigns/3")
    assert response.status_code == 200
    assert "not built" in response.get_data(as_text=True)
