#!/usr/bin/env bash
# Installs and runs the app: SQLite in instance/, Redis at REDIS_URL (default localhost; degraded
# mode if it does not answer), the dashboard built and served at http://127.0.0.1:${PORT:-5000}/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_venv test
build_frontend || echo "dashboard build failed: the API still runs"
flask --app wsgi db upgrade
# One SECRET_KEY for every worker (sessions, stream tickets); production sets its own.
export SECRET_KEY="${SECRET_KEY:-$(python -c 'import secrets; print(secrets.token_hex(32))')}"
exec gunicorn wsgi:app --bind "127.0.0.1:${PORT:-5000}" --workers "${WEB_CONCURRENCY:-2}"
