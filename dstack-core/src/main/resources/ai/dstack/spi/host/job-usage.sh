# dstack-jvm job resource usage, protocol 1 (see ShellJobProtocol).
# Usage: bash -c "$(cat job-usage.sh)" usage <job dir>
# Prints the usage of the job's live processes (those of its session, and of its container when it runs in an image)
# and of the host's GPUs, one line each:
#   time <epoch millis> / cpus <n> / memory_total <bytes> / cpu_ticks <ticks> <ticks per second> /
#   memory <resident bytes> <working set bytes> / processes <n> / gpu <util %> <used MiB> <total MiB> (per GPU, from
#   nvidia-smi, else amd-smi)
# Prints "not-running" when the job has not started or has ended.
set -u
dir=$1
if [ -e "$dir/exit" ]; then echo not-running; exit 0; fi
if ! read -r _ _ session <"$dir/pid" 2>/dev/null || [ -z "${session:-}" ]; then echo not-running; exit 0; fi

page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
# A job in a container image: its processes are the container runtime's children, not the job's session. The
# container file names it (then its CLI); the runtime gives its main process, whose descendants count as the job's.
# The runtime is asked once per job: the answer is kept in the job's directory (which the container does not see)
# with the process's start time, so a pid reused after the container ended is not taken for it.
root=0
started_of() { # <pid>: its start time in clock ticks (field 22 of its stat), empty when it is gone
  local line
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  set -- ${line##*) }
  echo "${20:-}"
}
if [ -s "$dir/container" ]; then
  cached= started=
  if [ -s "$dir/container-pid" ]; then read -r cached started <"$dir/container-pid" || true; fi
  case $cached in ''|*[!0-9]*) cached=0 ;; esac
  if [ "$cached" -gt 0 ] && [ -n "$started" ] && [ "$(started_of "$cached")" = "$started" ]; then
    root=$cached
  else
    { read -r name; read -r cli; } <"$dir/container"
    root=$("${cli:-docker}" inspect --format '{{.State.Pid}}' "$name" 2>/dev/null || echo 0)
    case $root in ''|*[!0-9]*) root=0 ;; esac
    started=$([ "$root" -gt 0 ] && started_of "$root")
    if [ -n "$started" ]; then
      echo "$root $started" >"$dir/container-pid.tmp" && mv -f "$dir/container-pid.tmp" "$dir/container-pid"
    fi
  fi
fi
declare -A parent=() counted=()
stats=()
for stat in /proc/[0-9]*/stat; do
  { read -r line <"$stat"; } 2>/dev/null || continue
  pid=${stat#/proc/}; pid=${pid%/stat}
  # Fields after the command name (which may hold spaces): state ppid pgrp session ... utime(12) stime(13) ... rss(22).
  set -- ${line##*) }
  if [ "${4:-}" = "$session" ]; then
    counted[$pid]=1
  elif [ "$root" -gt 0 ]; then
    parent[$pid]=${2:-0}
  fi
  stats+=("$pid ${12:-0} ${13:-0} ${22:-0}")
done
if [ "$root" -gt 0 ]; then
  # The container's processes: the main one and every process whose parents lead to it.
  for pid in "${!parent[@]}"; do
    p=$pid depth=0
    while [ "$p" -gt 1 ] && [ "$depth" -lt 64 ]; do
      if [ "$p" = "$root" ]; then counted[$pid]=1; break; fi
      p=${parent[$p]:-0} depth=$((depth + 1))
    done
  done
fi
ticks=0 rss=0 working=0 count=0
for entry in "${stats[@]}"; do
  set -- $entry
  [ -n "${counted[$1]:-}" ] || continue
  count=$((count + 1))
  ticks=$((ticks + $2 + $3))
  rss=$((rss + $4 * page))
  while read -r key value _; do
    case $key in RssAnon:|RssShmem:) working=$((working + value * 1024)) ;; esac
  done <"/proc/$1/status" 2>/dev/null
done
if [ "$count" -eq 0 ]; then echo not-running; exit 0; fi

echo "time $(date +%s%3N)"
echo "cpus $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"
while read -r key value _; do
  if [ "$key" = MemTotal: ]; then echo "memory_total $((value * 1024))"; break; fi
done </proc/meminfo
echo "cpu_ticks $ticks $hz"
echo "memory $rss $working"
echo "processes $count"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits 2>/dev/null |
    while IFS=', ' read -r util used total _; do
      case $util$used$total in *[!0-9]*|'') continue ;; esac
      echo "gpu $util $used $total"
    done
elif command -v amd-smi >/dev/null 2>&1; then
  # AMD: `amd-smi monitor -vu --csv` (what dstack's runner reads): a header row names the columns; gfx is the
  # utilization %, vram_used and vram_total are MB. Columns are found by name, as their order varies by version.
  amd-smi monitor -vu --csv 2>/dev/null | {
    IFS=, read -r -a header || exit 0
    g=-1 u=-1 t=-1
    for i in "${!header[@]}"; do
      case ${header[$i]//[[:space:]]/} in gfx) g=$i ;; vram_used) u=$i ;; vram_total) t=$i ;; esac
    done
    if [ "$g" -lt 0 ] || [ "$u" -lt 0 ]; then exit 0; fi
    while IFS=, read -r -a row; do
      util=${row[$g]:-} used=${row[$u]:-} total=0
      if [ "$t" -ge 0 ]; then total=${row[$t]:-}; fi
      util=${util//[[:space:]]/} used=${used//[[:space:]]/} total=${total//[[:space:]]/}
      case $util$used$total in *[!0-9]*|'') continue ;; esac
      echo "gpu $util $used $total"
    done
  }
fi
exit 0
