#!/usr/bin/env bash
# End-to-end: the real app under gunicorn on PostgreSQL and Redis, the built dashboard, and
# headless Chromium (Debian's package) driven by playwright-core. Called by test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_venv test
ensure_postgres
ensure_redis
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (apt-get)"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
E2E_DB="${TEST_DATABASE_URL##*/}_e2e"  # per test database: parallel checkouts do not collide
E2E_DB_URL="${TEST_DATABASE_URL%/*}/$E2E_DB"
psql "${TEST_DATABASE_URL}" -c "DROP DATABASE IF EXISTS $E2E_DB" >/dev/null
psql "${TEST_DATABASE_URL}" -c "CREATE DATABASE $E2E_DB" >/dev/null
PORT="$(free_port)"
# One SECRET_KEY for both workers: a stream ticket issued by one is redeemed by the other.
export SECRET_KEY="e2e-$(date +%s)-$RANDOM"
# Webhooks must be signed, as in production; the live e2e test signs its notifications with it.
export WHATSAPP_APP_SECRET="e2e-webhook-$RANDOM$RANDOM"
# A Redis of its own: Pub/Sub ignores the database number, so on a shared Redis every other run's writes
# would reach this run's dashboards (events:dashboard) and the live test's network logs would mean nothing.
REDIS_PORT="$(free_port)"
mkdir -p "$TMP"
"$REDIS_SERVER_BIN" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$TMP" --pidfile "$TMP/redis-e2e-$REDIS_PORT.pid" --logfile "$TMP/redis-e2e-$REDIS_PORT.log"
CLEANUP+=("kill \$(cat $TMP/redis-e2e-$REDIS_PORT.pid)")
# The live test stops this Redis and starts it again the same way (REDIS_SERVER_BIN, port, dir, pidfile).
export E2E_REDIS_PORT="$REDIS_PORT" E2E_REDIS_DIR="$TMP"
for _ in $(seq 1 50); do
  python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$REDIS_PORT),timeout=1); s.sendall(b'PING\r\n'); assert s.recv(7)==b'+PONG\r\n'" 2>/dev/null && break
  sleep 0.1
done
# Each worker adds its cache counts to Redis every CACHE_METRICS_FLUSH_SECONDS (5 by default): at 1 s, the counts of
# the worker that does not hold a dashboard's stream show in the very next push (every 2 s) too.
export CACHE_METRICS_FLUSH_SECONDS=1
export DATABASE_URL="$E2E_DB_URL" REDIS_URL="redis://127.0.0.1:$REDIS_PORT/${E2E_REDIS_DB:-14}" SCHEDULER_ENABLED=false WHATSAPP_TRANSPORT=dry-run LOG_LEVEL=WARNING
flask --app wsgi db upgrade >/dev/null 2>&1
flask --app wsgi cache flush --namespace all >/dev/null
# Accounts, as production has them: the API is closed once one exists. The browser logs in through the login
# form with one per role (e2e/support.mjs ACCOUNTS); the tests' own calls from node use API_TOKEN, as scripts do.
export API_TOKEN="e2e-token-$RANDOM$RANDOM$RANDOM"
for role in admin operator viewer; do
  upper="$(echo "$role" | tr a-z A-Z)"
  email="e2e-$role-$RANDOM@example.com"
  password="e2e $role password $RANDOM$RANDOM"
  export "E2E_${upper}_EMAIL=$email" "E2E_${upper}_PASSWORD=$password"
  printf '%s\n' "$password" | flask --app wsgi users create "$email" --role "$role" --password-stdin >/dev/null
done
gunicorn wsgi:app --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN_PID=$!
CLEANUP+=("kill $GUNICORN_PID")
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
(cd frontend && E2E_BASE_URL="http://127.0.0.1:$PORT" npm run e2e --silent)
