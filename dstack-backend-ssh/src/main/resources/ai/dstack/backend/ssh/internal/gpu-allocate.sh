# dstack-jvm over SSH: creates a job's directory and gives the job its own GPUs, as the engine's own host does: the
# lowest indexes no live job on this host holds, recorded in <job dir>/gpus ("<vendor> <index>,<index>..."). Runs under
# a lock on the jobs directory, so engines sharing the host never hand out a GPU twice.
# Usage: bash -s -- <jobs dir> <job id> <vendor> <host GPUs> <wanted>, with $status_script holding job-status.sh.
# Prints the job's indexes (comma-separated). Exit 10: the job exists; 11: no directory; 14: too few free GPUs.
set -u
root=$1 id=$2 vendor=$3 total=$4 count=$5
d="$root/$id"
umask 077
exec 9>"$root/.gpus.lock" && flock 9 || { echo "cannot lock $root/.gpus.lock" >&2; exit 11; }
if ! mkdir "$d" 2>/dev/null; then
  if [ -e "$d" ]; then echo "job $id already exists on this host ($d)" >&2; exit 10; fi
  echo "cannot create the job directory $d" >&2; exit 11
fi
# A job prepared but not started yet holds its GPUs for a minute (its start is under way in some engine).
now=$(date +%s)
held=" "
for record in "$root"/*/gpus; do
  [ -f "$record" ] || continue
  job=${record%/gpus}
  [ "$job" = "$d" ] && continue
  live=
  if [ -f "$job/pid" ] || [ -f "$job/exit" ]; then
    case $(bash -c "$status_script" status "$job") in running*) live=1 ;; esac
  elif [ $((now - $(stat -c %Y "$record"))) -lt 60 ]; then
    live=1
  fi
  [ -n "$live" ] || continue
  read -r _ indexes <"$record" || true
  for index in ${indexes//,/ }; do held="$held$index "; done
done
mine=
found=0
for ((index = 0; index < total && found < count; index++)); do
  case "$held" in *" $index "*) ;; *) mine="$mine${mine:+,}$index"; found=$((found + 1)) ;; esac
done
if [ "$found" -lt "$count" ]; then
  rmdir "$d"
  taken=$(echo $held | tr ' ' '\n' | sort -n | paste -sd, | sed 's/,/, /g')
  echo "job $id needs $count GPU(s); this host has $total${taken:+, of which running jobs hold [$taken]}" >&2
  exit 14
fi
printf '%s %s\n' "$vendor" "$mine" >"$d/gpus"
echo "$mine"
