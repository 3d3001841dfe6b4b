# dstack-jvm over SSH: whether one of a job's own processes listens on a TCP port, as the engine's own host reads
# /proc: the processes of the job's session (from its pid file) or with DSTACK_JOB_ID=<job> in their environment (a
# container's too), their sockets, and the listening sockets of /proc/net/tcp and tcp6.
# Usage: bash -c "$(cat job-listens.sh)" listens <job dir> <job id> <port>. Exit 0: it listens; 1: it does not.
set -u
d=$1 id=$2 port=$3
session=
if IFS= read -r line <"$d/pid" 2>/dev/null; then set -- $line; session=${3:-}; fi
inodes=" "
for p in /proc/[0-9]*; do
  mine=
  if [ -n "$session" ] && stat=$(cat "$p/stat" 2>/dev/null); then
    set -- ${stat##*) }
    # After the command name: state, ppid, process group, session.
    [ "${4:-}" = "$session" ] && mine=1
  fi
  if [ -z "$mine" ]; then
    tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qx "DSTACK_JOB_ID=$id" && mine=1
  fi
  [ -n "$mine" ] || continue
  for fd in "$p"/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    case $target in socket:\[*\]) target=${target#socket:[}; inodes="$inodes${target%]} " ;; esac
  done
done
[ "$inodes" = " " ] && exit 1
hex=$(printf '%04X' "$port")
for table in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$table" ] || continue
  while read -r _ local _ state _ _ _ _ _ inode _; do
    if [ "$state" = 0A ] && [ "${local##*:}" = "$hex" ]; then
      case $inodes in *" $inode "*) exit 0 ;; esac
    fi
  done < <(tail -n +2 "$table")
done
exit 1
