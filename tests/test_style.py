"""The codebase keeps its own rules (setup.cfg [flake8]: 120 columns, complexity under 10)."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_flake8_finds_nothing():
    paths = ["chatbot", "tests", "bench", "fakes", "wsgi.py", "gunicorn.conf.py"]
    result = subprocess.run([sys.executable, "-m", "flake8", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_grows_past_three_hundred_lines():
    """Split a module before it becomes a drawer (STYLE.md)."""
    long = [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / "chatbot").rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 300]
    assert long == []


def imported_modules(path):
    """Every module name `path` imports (absolute imports only)."""
    import ast
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_only_tests_import_tests():
    """The app, the benchmarks and the shared servers stand alone; `chatbot` imports neither bench nor fakes."""
    found = [f"{p.relative_to(ROOT)}: {name}" for folder in ("chatbot", "bench", "fakes")
             for p in (ROOT / folder).rglob("*.py")
             for name in imported_modules(p) if name.split(".")[0] == "tests"]
    found += [f"{p.relative_to(ROOT)}: {name}" for p in (ROOT / "chatbot").rglob("*.py")
              for name in imported_modules(p) if name.split(".")[0] in ("bench", "fakes")]
    assert found == []


def test_benchmarks_run_as_modules_without_path_edits():
    """`python -m bench.<name>` from the root: no benchmark edits sys.path to find its imports."""
    edits = [str(p.relative_to(ROOT)) for folder in ("bench", "fakes", "tests") for p in (ROOT / folder).rglob("*.py")
             if "sys.path" in p.read_text() and p.name != "test_style.py"]
    assert edits == []


def test_every_benchmark_answers_help_as_a_module():
    """Each command of BENCHMARKS.md starts from the root as `python -m bench.<name>` (imports resolve)."""
    names = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if "def main(" in p.read_text())
    assert names == ["campaign_ops", "count_writes", "degraded", "dispatch", "events", "imports", "misses", "peers",
                     "processes", "reads", "rehearsal_dispatch", "slow_clients", "sweep", "webhooks", "webhooks_wrk"]
    for name in names:
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], cwd=ROOT, capture_output=True,
                                text=True)
        assert result.returncode == 0 and "usage:" in result.stdout, (name, result.stderr[-2000:])
