# dstack-jvm job launcher, protocol 1 (see ShellJobProtocol). Usage: bash -c "$(cat job-launcher.sh)" launch <job dir>
# Starts job-wrapper.sh detached (setsid, stdin/stdout/stderr off the caller) and returns once the job's process
# exists, printing the `pid` file. Exits non-zero with the reason on stderr when the job could not start.
set -u
dir=$1
cd "$dir" || { echo "cannot enter the job directory $dir" >&2; exit 2; }
for tool in setsid mkfifo pkill; do
  command -v "$tool" >/dev/null 2>&1 || { echo "'$tool' is not installed on this host; jobs need it" >&2; exit 3; }
done
rm -f ready.fifo
mkfifo ready.fifo || { echo "cannot create $dir/ready.fifo" >&2; exit 2; }
exec 3<>ready.fifo # read-write: opening does not wait for the wrapper, and the wrapper's write never blocks
setsid bash "$dir/job-wrapper.sh" </dev/null >>wrapper.log 2>&1 3<&- &
if IFS= read -r -t 10 -u 3 answer; then
  rm -f ready.fifo
  if [ "$answer" = ready ]; then
    cat pid
    exit 0
  fi
  echo "$answer" >&2
  exit 4
fi
rm -f ready.fifo
echo "the job wrapper did not report within 10 s; its output: $(tail -c 2000 wrapper.log 2>/dev/null)" >&2
exit 4
