# dstack-jvm job wrapper, protocol 1 (see ShellJobProtocol). Started by job-launcher.sh through setsid, so it leads
# its own session: it survives the engine, an SSH disconnect and signals sent to the job.
# It runs job.sh in a session of its own (the job's process group), writes every line the job prints to `log` with a
# timestamp, and records the exit code in `exit` once the job and its logs are complete.
set -u
cd "${0%/*}" || exit 1
job_id=${PWD##*/}

if [ "${BASH_VERSINFO[0]}" -ge 5 ]; then
  now_ms() { local t=${EPOCHREALTIME//[.,]/}; ms=${t%???}; }
  read_timeout='-t 1' # bash 5 keeps the input read so far when read times out: unfinished lines show up within 1 s
else
  now_ms() { ms=$(date +%s%3N); }
  read_timeout=''
fi

# Appends one record per piece of stdin to `log`: "<epoch millis> <tag> <text>". Tag $1 (upper case) marks text that
# ended with a newline; tag $2 (lower case) a fragment that did not: a line longer than 1000 characters, a line still
# being written after 1 s (progress bars), or the last line at EOF. A record stays below 4096 bytes, so it is one
# write(2) to a file opened for appending and the two streams' records never interleave.
log_stream() {
  { LC_ALL=C.UTF-8; } 2>/dev/null # count characters, not bytes: a fragment never splits a UTF-8 character
  local line rc
  exec 3>>log
  while :; do
    line=
    # shellcheck disable=SC2086
    IFS= read -r -n 1000 $read_timeout line
    rc=$?
    if [ "$rc" -eq 0 ] && [ "${#line}" -lt 1000 ]; then
      now_ms
      printf '%s %s %s\n' "$ms" "$1" "$line" >&3
    elif [ -n "$line" ]; then
      now_ms
      printf '%s %s %s\n' "$ms" "$2" "$line" >&3
    fi
    if [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; then break; fi # EOF: every writer is gone
  done
}

log_stream O o <out.fifo &
out_logger=$!
log_stream E e <err.fifo &
err_logger=$!
setsid bash job.sh </dev/null >out.fifo 2>err.fifo &
job_pid=$! # setsid did not need to fork (a background job is no group leader): this is the job's session and group id

start_ticks=0
if read -r stat 2>/dev/null </proc/$$/stat; then
  # shellcheck disable=SC2086
  set -- ${stat##*) }
  start_ticks=${20:-0} # field 22, the start time: with the pid it tells this process from a later one with the same pid
fi
# One write(2) of a short line: readers see the whole line or nothing (no tmp + mv, which would cost a process).
printf '%s %s %s\n' "$$" "$start_ticks" "$job_pid" >pid
printf 'ready\n' 1<>ready.fifo # tells the waiting launcher; opened read-write, so this never blocks

wait "$job_pid"
code=$?

# What the job left behind ends with it, as in a container; this also closes the log pipes.
kill -KILL -- "-$job_pid" 2>/dev/null
pkill -KILL -s "$job_pid" 2>/dev/null
if [ -s container ]; then docker rm -f "$(<container)" >/dev/null 2>&1; fi
# A process that left the job's session may still hold the pipes: stop waiting for its output after 5 s.
# Nobody writes to ready.fifo any more, so a read with a timeout on it is a sleep that costs no process.
[ -p ready.fifo ] || { rm -f ready.fifo; mkfifo ready.fifo; }
exec 4<>ready.fifo
ticks=500
while [ "$ticks" -gt 0 ] && { kill -0 "$out_logger" || kill -0 "$err_logger"; } 2>/dev/null; do
  read -r -t 0.01 -u 4 _
  ticks=$((ticks - 1))
done
kill -KILL "$out_logger" "$err_logger" 2>/dev/null
wait "$out_logger" "$err_logger"
exec 4<&-
rm -f out.fifo err.fifo ready.fifo

now_ms
printf '%s %s\n' "$code" "$ms" >exit.tmp && mv -f exit.tmp exit
: >"../.exited/$job_id"
