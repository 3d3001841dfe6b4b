# dstack-jvm job signalling, protocol 1 (see ShellJobProtocol).
# Usage: bash -c "$(cat job-signal.sh)" signal <job dir> <grace millis>
# Grace 0: SIGKILL the job's processes now. Otherwise SIGTERM them now and leave a detached timer (it survives the
# engine) that sends SIGKILL when the grace period ends and the job has not finished. Prints what it did.
set -u
dir=$1
grace_ms=$2
cd "$dir" 2>/dev/null || { echo absent; exit 0; }
if [ -e exit ]; then echo finished; exit 0; fi
if ! read -r _ _ job <pid 2>/dev/null || [ -z "${job:-}" ]; then echo not-started; exit 0; fi

# The job's processes: its process group and whatever moved to another group of its session; for a job in a
# Docker image also its container, which a SIGKILL of the docker client would not reach.
# The container file: its name, then the container CLI that runs it (docker when absent).
container_cli() {
  local name cli
  { read -r name; read -r cli; } <container
  "${cli:-docker}" "$@" "$name" >/dev/null 2>&1
}

signal_job() {
  kill "-$1" -- "-$job" 2>/dev/null
  pkill "-$1" -s "$job" 2>/dev/null
  if [ -s container ]; then container_cli kill --signal="$1"; fi
  return 0
}

# Sleeps in steps of 1 s (0.1 s for the last second) and stops early when the job has finished.
escalate_after_grace() {
  local left_ms=$3
  cd "$1" || exit 0
  while [ "$left_ms" -gt 0 ] && [ ! -e exit ]; do
    kill -0 -- "-$2" 2>/dev/null || exit 0 # the job's processes are gone (and their files may be too)
    if [ "$left_ms" -gt 1000 ]; then
      sleep 1
      left_ms=$((left_ms - 1000))
    else
      sleep 0.1
      left_ms=$((left_ms - 100))
    fi
  done
  if [ ! -e exit ]; then
    kill -KILL -- "-$2" 2>/dev/null
    pkill -KILL -s "$2" 2>/dev/null
    if [ -s container ]; then container_cli kill --signal=KILL; fi
  fi
}

if [ "$grace_ms" -le 0 ]; then
  signal_job KILL
  echo killed
  exit 0
fi
signal_job TERM
setsid bash -c "$(declare -f escalate_after_grace); escalate_after_grace \"\$@\"" escalate "$dir" "$job" "$grace_ms" \
  </dev/null >/dev/null 2>&1 &
echo terminated
