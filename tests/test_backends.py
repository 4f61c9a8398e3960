"""Which databases the suite runs on: TEST_BACKENDS narrows a local run, CI always runs both."""
import os
import pathlib
import subprocess

import pytest

from tests.conftest import backends

ROOT = pathlib.Path(__file__).resolve().parent.parent


def chosen_by_test_sh(**env):
    """TEST_BACKENDS as scripts/test.sh leaves it (it sources scripts/backends.sh) in this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_BACKENDS")}
    done = subprocess.run(["bash", "-c", ". scripts/backends.sh; echo \"$TEST_BACKENDS\""], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("narrowed", ["sqlite", "postgresql", ""])
def test_ci_runs_both_databases_whatever_the_environment_says(narrowed):
    assert chosen_by_test_sh(CI="true", TEST_BACKENDS=narrowed) == "sqlite,postgresql"
    assert backends({"CI": "true", "TEST_BACKENDS": narrowed}) == ["sqlite", "postgresql"]


def test_a_local_run_may_be_narrowed_to_one_database():
    assert chosen_by_test_sh(TEST_BACKENDS="sqlite") == "sqlite"
    assert backends({"TEST_BACKENDS": "sqlite"}) == ["sqlite"]
    assert chosen_by_test_sh() == "sqlite,postgresql"
    assert backends({}) == ["sqlite", "postgresql"]


def test_test_sh_sources_the_choice_before_pytest():
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert script.index("source scripts/backends.sh") < script.index("python -m pytest")
