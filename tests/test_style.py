"""The codebase keeps its own rules (setup.cfg [flake8]: 120 columns, complexity under 10)."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_flake8_finds_nothing():
    paths = ["chatbot", "tests", "bench", "wsgi.py", "gunicorn.conf.py"]
    result = subprocess.run([sys.executable, "-m", "flake8", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_grows_past_three_hundred_lines():
    """Split a module before it becomes a drawer (STYLE.md)."""
    long = [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / "chatbot").rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 300]
    assert long == []
