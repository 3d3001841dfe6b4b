# dstack-jvm job wrapper, protocol 1 (see ShellJobProtocol). Started by job-launcher.sh through setsid, so it leads
# its own session: it survives the engine, an SSH disconnect and signals sent to the job.
# It runs job.sh in a session of its own (the job's process group), writes everything the job prints to `log` with
# timestamps, and records the exit code in `exit` once the job and its logs are complete.
set -u
umask 077 # the job's files (log, pid, exit) are the supervisor's; job.sh gives the job its own umask
cd "${0%/*}" || exit 1
job_id=${PWD##*/}

# The job's output goes through out.fifo and err.fifo to a logger that appends records to `log`:
#   "<epoch millis> <tag> <text>", tag O/E for stdout/stderr text that ended with a newline, o/e for a fragment:
#   a piece of a line longer than 4000 bytes, a line unfinished for 0.5 s (a progress bar), or the last line at EOF.
# A record is one write(2) of at most ~4 KiB to a file opened for appending, so records never interleave.
# The perl logger reads 64 KiB at a time (a few MB/s of output cost it little); where perl or Time::HiRes is missing,
# two bash loggers do the same more slowly (bash reads a pipe byte by byte: about 10,000 lines/s).
logger_pl='
use strict;
use warnings;
use Time::HiRes qw(time);

my $max = 4000;
my $flush_after = 0.5;
open(my $log, ">>", "log") or die "cannot open log: $!\n";
binmode($log);
my $write_failed = 0;

sub record {
    my ($tag, $text) = @_;
    my $record = sprintf("%d %s %s\n", time() * 1000, $tag, $text);
    my $written = syswrite($log, $record);
    # A full disk must not stop the job: drop the record, say so once.
    warn "cannot write to log: $!\n" if (!defined($written) || $written != length($record)) && !$write_failed++;
}

# Emits the leading 4000-byte pieces of a long text as fragments (never splitting a UTF-8 character); returns the rest.
sub fragments {
    my ($stream, $text) = @_;
    while (length($text) > $max) {
        my $cut = $max;
        $cut-- while $cut > $max - 3 && (ord(substr($text, $cut, 1)) & 0xC0) == 0x80;
        record($stream->{fragment}, substr($text, 0, $cut, ""));
    }
    return $text;
}

my @streams;
for my $spec (["out.fifo", "O", "o"], ["err.fifo", "E", "e"]) {
    open(my $fh, "<", $spec->[0]) or die "cannot open $spec->[0]: $!\n";
    binmode($fh);
    push(@streams, {fh => $fh, complete => $spec->[1], fragment => $spec->[2], rest => "", since => 0});
}

while (@streams) {
    my $input = "";
    my $wait;
    for my $stream (@streams) {
        vec($input, fileno($stream->{fh}), 1) = 1;
        next if !length($stream->{rest});
        my $left = $stream->{since} + $flush_after - time();
        $wait = $left if !defined($wait) || $left < $wait;
    }
    $wait = 0 if defined($wait) && $wait < 0;
    my $ready = select(my $readable = $input, undef, undef, $wait);
    next if $ready < 0 && $!{EINTR};
    for my $stream (@streams) {
        next if $ready <= 0 || !vec($readable, fileno($stream->{fh}), 1);
        my $read = sysread($stream->{fh}, my $chunk, 65536);
        next if !defined($read) && $!{EINTR};
        if (!$read) {
            record($stream->{fragment}, $stream->{rest}) if length($stream->{rest});
            $stream->{done} = 1;
            next;
        }
        $stream->{since} = time() if !length($stream->{rest});
        $stream->{rest} .= $chunk;
        while ((my $newline = index($stream->{rest}, "\n")) >= 0) {
            my $line = substr($stream->{rest}, 0, $newline + 1, "");
            chop($line);
            record($stream->{complete}, fragments($stream, $line));
            $stream->{since} = time();
        }
        $stream->{rest} = fragments($stream, $stream->{rest});
    }
    for my $stream (@streams) {
        if (length($stream->{rest}) && time() - $stream->{since} >= $flush_after) {
            record($stream->{fragment}, $stream->{rest});
            $stream->{rest} = "";
        }
    }
    @streams = grep { !$_->{done} } @streams;
}

'

if [ "${BASH_VERSINFO[0]}" -ge 5 ]; then
  now_ms() { local t=${EPOCHREALTIME//[.,]/}; ms=${t%???}; }
  read_timeout='-t 0.5' # bash 5 keeps the input read so far when read times out: unfinished lines show up
else
  now_ms() { ms=$(date +%s%3N); }
  read_timeout=''
fi

# The bash logger of one stream: $1 is the tag of a line, $2 the tag of a fragment.
log_lines() {
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

(
  if [ "${DSTACK_JOB_LOGGER:-perl}" = perl ] && perl -e "$logger_pl"; then exit 0; fi
  log_lines O o <out.fifo &
  log_lines E e <err.fifo &
  wait
) &
loggers=$!

# setsid need not fork (a background job is no group leader), so $! becomes the job's session and group id.
setsid bash job.sh </dev/null >out.fifo 2>err.fifo &
job_pid=$!

# Answer the launcher only once the job leads its session: from then on signals sent to the group reach it. Before,
# the child is still in this wrapper's group, opening its output pipes.
exec 4<>ready.fifo # read with a timeout, this empty pipe is a sleep that costs no process
for _ in {1..5000}; do
  read -r stat 2>/dev/null </proc/$job_pid/stat || break
  # shellcheck disable=SC2086
  set -- ${stat##*) } # fields from 3 on: state, ppid, process group, session, ...
  if [ "$4" = "$job_pid" ] || [ "$1" = Z ]; then break; fi
  read -r -t 0.001 -u 4 _
done

start_ticks=0
if read -r stat 2>/dev/null </proc/$$/stat; then
  # shellcheck disable=SC2086
  set -- ${stat##*) }
  start_ticks=${20:-0} # field 22, the start time: with the pid it tells this process from a later one with the same pid
fi
# One write(2) of a short line: readers see the whole line or nothing (no tmp + mv, which would cost a process).
printf '%s %s %s\n' "$$" "$start_ticks" "$job_pid" >pid
printf 'ready\n' >&4 # tells the waiting launcher; the pipe is open read-write, so this never blocks

wait "$job_pid"
code=$?

# What the job left behind ends with it, as in a container; this also closes the log pipes.
kill -KILL -- "-$job_pid" 2>/dev/null
pkill -KILL -s "$job_pid" 2>/dev/null
if [ -s container ]; then docker rm -f "$(<container)" >/dev/null 2>&1; fi
# A process that left the job's session may still hold the pipes: stop waiting for its output after 5 s.
# Nobody writes to ready.fifo any more, so a read with a timeout on it is a sleep that costs no process.
ticks=500
while [ "$ticks" -gt 0 ] && kill -0 "$loggers" 2>/dev/null; do
  read -r -t 0.01 -u 4 _
  ticks=$((ticks - 1))
done
if [ "$ticks" -eq 0 ]; then
  pkill -KILL -P "$loggers" 2>/dev/null
  kill -KILL "$loggers" 2>/dev/null
fi
wait "$loggers"
exec 4<&-
rm -f out.fifo err.fifo ready.fifo

now_ms
printf '%s %s\n' "$code" "$ms" >exit.tmp && mv -f exit.tmp exit
: >"../.exited/$job_id"
