#!/usr/bin/env bash
# The main job: start `dstack server` on the embedded default (SQLite in ~/.dstack/server, the local fleet),
# run a task against it with `dstack apply`, stream its output, and stop the server.
# Usage: examples/server-demo.sh [task.dstack.yml]   (run `./mvnw -B -ntp -q install -DskipTests` once first)
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
task="${1:-$root/examples/configurations/hello.dstack.yml}"
port="${DSTACK_SERVER_PORT:-3000}"

"$root/bin/dstack" server --port "$port" -y > "${TMPDIR:-/tmp}/dstack-server-demo.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "dstack server did not start:" >&2
    cat "${TMPDIR:-/tmp}/dstack-server-demo.log" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  sleep 0.5
done
grep -h "admin token\|running at" "${TMPDIR:-/tmp}/dstack-server-demo.log" || true

"$root/bin/dstack" apply -f "$task" -y
