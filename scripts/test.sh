#!/usr/bin/env bash
# Installs what the tests need and runs every test: pytest on SQLite and PostgreSQL with a real
# Redis, the dashboard's unit tests (vitest) and its end-to-end test in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_venv test
ensure_postgres
ensure_redis
echo "PostgreSQL: $TEST_DATABASE_URL  Redis: $TEST_REDIS_URL"

python -m pytest "$@"

if [ -d frontend ]; then
  build_frontend
  (cd frontend && npm test --silent)
  bash scripts/e2e.sh
fi
