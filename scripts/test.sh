#!/usr/bin/env bash
# Installs what the tests need and runs every test: pytest on SQLite and PostgreSQL with a real
# Redis, the dashboard's unit tests (vitest) and its end-to-end test in headless Chromium.
# Arguments go to pytest (e.g. ./scripts/test.sh tests/api -k contacts).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
source scripts/backends.sh

ensure_venv test
ensure_postgres
ensure_redis
echo "PostgreSQL: $TEST_DATABASE_URL  Redis: $TEST_REDIS_URL  databases: $TEST_BACKENDS"

python -m pytest "$@" 2>&1 | tee "$TMP/pytest.log"
passed=$(grep -Eo '[0-9]+ passed' "$TMP/pytest.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)

if [ -d frontend ] && [ $# -eq 0 ]; then
  build_frontend
  (cd frontend && npm test --silent) 2>&1 | tee "$TMP/vitest.log"
  unit=$(sed 's/\x1b\[[0-9;]*m//g' "$TMP/vitest.log" | grep -E '^ *Tests ' | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
  bash scripts/e2e.sh 2>&1 | tee "$TMP/e2e.log"
  e2e=$(grep -E '^# pass ' "$TMP/e2e.log" | grep -Eo '[0-9]+' || echo 0)
  passed=$((passed + unit + e2e))
fi
# One closing line for the whole run (pytest, vitest and the end-to-end test): any failure exited above.
echo "all: $passed passed, 0 failed"
