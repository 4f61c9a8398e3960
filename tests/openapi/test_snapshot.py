"""The dashboard's copy of the OpenAPI description (frontend/src/api/openapi.json) is the live one.

The dashboard's tests check its fake API and its status constants against that copy, so a schema
change that is not copied there would let them drift from the API unnoticed.
"""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "openapi_snapshot.py"


def load_script():
    """scripts/openapi_snapshot.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("openapi_snapshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dashboard_snapshot_is_the_live_description():
    """Same text as what GET /api/openapi.json renders now; else the command to run is in the message."""
    snapshot = load_script()
    live = snapshot.render(snapshot.live_spec())
    committed = snapshot.SNAPSHOT.read_text(encoding="utf-8") if snapshot.SNAPSHOT.exists() else ""
    assert committed == live, (
        f"{snapshot.SNAPSHOT.relative_to(SCRIPT.parents[1])} differs from GET /api/openapi.json: "
        f"run `{snapshot.COMMAND}` (backend venv) and commit the file")
