# dstack-jvm over SSH: a job's state in one line. Usage: bash -c "$(cat job-status.sh)" status <job dir>
# Prints: absent | exit <code> <millis> | running <pgid> | never-started <wrapper log> | lost <pid> <wrapper log>
set -u
d=$1
[ -d "$d" ] || { echo absent; exit 0; }
if [ -f "$d/exit" ]; then printf 'exit %s\n' "$(cat "$d/exit")"; exit 0; fi
wrapper_log() { tail -c 1000 "$d/wrapper.log" 2>/dev/null | tr '\n' ' '; }
# The wrapper writes the pid file with one write; a line without its newline is a start cut short.
if ! IFS= read -r line <"$d/pid" 2>/dev/null; then printf 'never-started %s\n' "$(wrapper_log)"; exit 0; fi
set -- $line
pid=$1 start=$2 group=$3
stat=$(cat "/proc/$pid/stat" 2>/dev/null) || stat=
if [ -n "$stat" ]; then
  rest=${stat##*) }
  set -- $rest
  # Field 22 of /proc/<pid>/stat (the start time) is the 20th after the command name.
  if [ "${20:-}" = "$start" ]; then printf 'running %s\n' "$group"; exit 0; fi
fi
# The wrapper may have written the exit code and ended between the two reads.
if [ -f "$d/exit" ]; then printf 'exit %s\n' "$(cat "$d/exit")"; exit 0; fi
printf 'lost %s %s\n' "$pid" "$(wrapper_log)"
