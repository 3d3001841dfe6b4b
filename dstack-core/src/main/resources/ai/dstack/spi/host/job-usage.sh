# dstack-jvm job resource usage, protocol 2 (see ShellJobProtocol).
# Usage: bash -c "$(cat job-usage.sh)" usage [<job dir>...]   (no arguments: one job directory per line on stdin)
# Samples many jobs with one walk of the host's process table, so a pass over all the jobs of a host costs one
# program and one read of /proc, not one each. Prints the host's lines once, then one line per job, in order:
#   time <epoch millis> / cpus <n> / hz <clock ticks per second> / memory_total <bytes> /
#   gpu <util %> <used MiB> <total MiB> (per GPU, from nvidia-smi, else amd-smi)
#   job <index from 0> <cpu ticks> <ticks per second> <resident bytes> <working set bytes> <processes>
#   job <index> not-running   (the job has not started or has ended)
set -u
dirs=("$@")
if [ "${#dirs[@]}" -eq 0 ]; then mapfile -t dirs; fi

page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
started_of() { # <pid>: its start time in clock ticks (field 22 of its stat), empty when it is gone
  local line
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  set -- ${line##*) }
  echo "${20:-}"
}
# A job in a container image: its processes are the container runtime's children, not the job's session. The
# container file names it (then its CLI); the runtime gives its main process, whose descendants count as the job's.
# The runtime is asked once per job: the answer is kept in the job's directory (which the container does not see)
# with the process's start time, so a pid reused after the container ended is not taken for it.
container_root() { # <job dir>: the pid of the job's container's main process, 0 when none
  local dir=$1 cached= started= name cli root=0
  if [ -s "$dir/container-pid" ]; then read -r cached started <"$dir/container-pid" || true; fi
  case $cached in ''|*[!0-9]*) cached=0 ;; esac
  if [ "$cached" -gt 0 ] && [ -n "$started" ] && [ "$(started_of "$cached")" = "$started" ]; then
    echo "$cached"; return 0
  fi
  { read -r name; read -r cli; } <"$dir/container"
  root=$("${cli:-docker}" inspect --format '{{.State.Pid}}' "$name" 2>/dev/null || echo 0)
  case $root in ''|*[!0-9]*) root=0 ;; esac
  started=$([ "$root" -gt 0 ] && started_of "$root")
  if [ -n "$started" ]; then
    echo "$root $started" >"$dir/container-pid.tmp" && mv -f "$dir/container-pid.tmp" "$dir/container-pid"
  fi
  echo "$root"
}
# Which job (by index) each session and each container's main process belongs to.
declare -A job_of_session=() job_of_root=()
for i in "${!dirs[@]}"; do
  dir=${dirs[$i]}
  [ -e "$dir/exit" ] && continue
  session=
  { read -r _ _ session <"$dir/pid"; } 2>/dev/null || continue
  [ -n "${session:-}" ] || continue
  job_of_session[$session]=$i
  if [ -s "$dir/container" ]; then
    root=$(container_root "$dir")
    [ "$root" -gt 0 ] && job_of_root[$root]=$i
  fi
done
declare -A parent=() job_of_pid=()
stats=()
if [ "${#job_of_session[@]}" -gt 0 ]; then
  for stat in /proc/[0-9]*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue
    pid=${stat#/proc/}; pid=${pid%/stat}
    # Fields after the command name (which may hold spaces): state ppid pgrp session ... utime(12) stime(13) ... rss(22).
    set -- ${line##*) }
    if [ -n "${job_of_session[${4:-x}]:-}" ]; then
      job_of_pid[$pid]=${job_of_session[$4]}
    elif [ "${#job_of_root[@]}" -gt 0 ]; then
      parent[$pid]=${2:-0}
    fi
    stats+=("$pid ${12:-0} ${13:-0} ${22:-0}")
  done
fi
if [ "${#job_of_root[@]}" -gt 0 ]; then
  # The containers' processes: each main one and every process whose parents lead to it.
  for pid in "${!parent[@]}"; do
    p=$pid depth=0
    while [ "$p" -gt 1 ] && [ "$depth" -lt 64 ]; do
      if [ -n "${job_of_root[$p]:-}" ]; then job_of_pid[$pid]=${job_of_root[$p]}; break; fi
      p=${parent[$p]:-0} depth=$((depth + 1))
    done
  done
fi
declare -A ticks=() rss=() working=() count=()
for entry in "${stats[@]}"; do
  set -- $entry
  i=${job_of_pid[$1]:-}
  [ -n "$i" ] || continue
  count[$i]=$((${count[$i]:-0} + 1))
  ticks[$i]=$((${ticks[$i]:-0} + $2 + $3))
  rss[$i]=$((${rss[$i]:-0} + $4 * page))
  w=${working[$i]:-0}
  while read -r key value _; do
    case $key in RssAnon:|RssShmem:) w=$((w + value * 1024)) ;; esac
  done 2>/dev/null <"/proc/$1/status" # 2> first: a process gone meanwhile is no error
  working[$i]=$w
done

echo "time $(date +%s%3N)"
echo "cpus $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"
echo "hz $hz"
while read -r key value _; do
  if [ "$key" = MemTotal: ]; then echo "memory_total $((value * 1024))"; break; fi
done </proc/meminfo
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
for i in "${!dirs[@]}"; do
  if [ -n "${count[$i]:-}" ]; then
    echo "job $i ${ticks[$i]} $hz ${rss[$i]} ${working[$i]} ${count[$i]}"
  else
    echo "job $i not-running"
  fi
done
exit 0
