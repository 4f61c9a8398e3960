"""Writes the live OpenAPI description to frontend/src/api/openapi.json, the dashboard's copy of the API.

The dashboard's tests check their fake API and the status constants against that copy, and
tests/openapi/test_snapshot.py fails when it differs from what the app serves. After changing a
schema, regenerate it with (from the repository root, the backend's virtualenv active):

    python scripts/openapi_snapshot.py

`--check` writes nothing and exits 1 when the copy is out of date.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "frontend" / "src" / "api" / "openapi.json"
COMMAND = "python scripts/openapi_snapshot.py"


def live_spec():
    """GET /api/openapi.json from an app on an in-memory database, with no scheduler."""
    sys.path.insert(0, str(ROOT))  # this checkout's package, installed or not
    from chatbot import create_app

    # The description needs no Redis: an address where none listens (degraded mode), so that no shared
    # Redis gets anything from this app, not even the cache metrics it flushes at exit.
    app = create_app({"SCHEDULER_ENABLED": False, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200, f"GET /api/openapi.json answered {response.status_code}"
    return response.get_json()


def render(spec):
    """The file's exact text: sorted keys, two-space indent, final newline (stable diffs)."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv):
    """Writes the snapshot, or with --check only compares it."""
    text = render(live_spec())
    if "--check" in argv:
        current = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
        if current != text:
            print(f"{SNAPSHOT} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
