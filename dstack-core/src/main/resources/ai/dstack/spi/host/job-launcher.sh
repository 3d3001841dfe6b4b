# dstack-jvm job launcher, protocol 1 (see ShellJobProtocol). Usage: bash -c "$(cat job-launcher.sh)" launch <job dir>
# Starts job-wrapper.sh detached (setsid, stdin/stdout/stderr off the caller) and returns once the job's process
# exists, printing the `pid` file. Exits non-zero with the reason on stderr when the job could not start.
set -u
umask 077 # the job's files (log, pid, exit) are the supervisor's; job.sh gives the job its own umask
dir=$1
cd "$dir" || { echo "cannot enter the job directory $dir" >&2; exit 2; }
for tool in setsid mkfifo pkill; do
  command -v "$tool" >/dev/null 2>&1 || { echo "'$tool' is not installed on this host; jobs need it" >&2; exit 3; }
done
# ready.fifo: the wrapper answers the launcher; out.fifo and err.fifo: the job's output to the wrapper's loggers.
mkfifo ready.fifo out.fifo err.fifo || { echo "cannot create named pipes in $dir" >&2; exit 2; }
exec 3<>ready.fifo # read-write: opening does not wait for the wrapper, and the wrapper's write never blocks
setsid bash "$dir/job-wrapper.sh" </dev/null >>wrapper.log 2>&1 3<&- &
if IFS= read -r -t 10 -u 3 answer; then # the wrapper removes the pipes when the job ends
  if [ "$answer" = ready ]; then
    IFS= read -r pid <pid
    printf '%s\n' "$pid"
    exit 0
  fi
  echo "$answer" >&2
  exit 4
fi
rm -f ready.fifo
echo "the job wrapper did not report within 10 s; its output: $(tail -c 2000 wrapper.log 2>/dev/null)" >&2
exit 4
