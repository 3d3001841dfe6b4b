#!/usr/bin/env bash
# The main job: start `dstack server` on the embedded default (SQLite in ~/.dstack/server, the local fleet),
# run a task against it with `dstack apply`, stream its output, and stop the server.
# Usage: examples/server-demo.sh [task.dstack.yml]   (run `./mvnw -B -ntp -q install -DskipTests` once first)
# DSTACK_SERVER_PORT picks the port (default 3000); it must be free.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
task="${1:-$root/examples/configurations/hello.dstack.yml}"
port="${DSTACK_SERVER_PORT:-3000}"
log="$(mktemp "${TMPDIR:-/tmp}/dstack-server-demo.XXXXXX.log")"

# Another server on the port would answer our readiness check and get our task: refuse instead.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Error: port $port is in use (another dstack server?). Stop it, or pick a free port: DSTACK_SERVER_PORT=3001 $0" >&2
  exit 1
fi

echo "Starting dstack server on port $port (its log: $log)..."
"$root/bin/dstack" server --port "$port" -y > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

# Ready when our own server says so (not when something answers on the port).
for _ in $(seq 1 240); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "dstack server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  if grep -q "The server is running at" "$log"; then
    break
  fi
  sleep 0.5
done
if ! grep -q "The server is running at" "$log"; then
  echo "dstack server did not say it was running within 2 minutes; its log:" >&2
  cat "$log" >&2
  exit 1
fi
grep -h "admin token\|running at" "$log" || true

"$root/bin/dstack" apply -f "$task" -y
