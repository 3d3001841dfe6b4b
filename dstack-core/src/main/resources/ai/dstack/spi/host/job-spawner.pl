# dstack-jvm job spawner, protocol 1 (see ShellJobProtocol). Usage: perl job-spawner.pl <jobs root>
# One long-lived process per executor that starts and signals jobs without running a program per request: each job
# gets a supervisor forked from here into a session of its own, so jobs outlive the spawner and its caller.
# Requests on stdin, one per line: "<request id> start <job id>" or "<request id> signal <job id> <grace millis>".
# Replies on stdout, one line each, in the order they complete: "<request id> ok <text>" or "<request id> error <text>".
# It first prints "dstack-job-spawner 1 <pid>", and exits when stdin ends.
use strict;
use warnings;
use Config;
use Errno ();
use IO::Handle ();
use POSIX ();
use Time::HiRes qw(time sleep);

umask(077); # the jobs' files (log, pid, exit) are the supervisor's; job.sh gives the job its own umask
my $root = shift(@ARGV) // die "usage: job-spawner.pl <jobs root>\n";
chdir($root) or die "cannot enter the jobs directory $root: $!\n";
$0 = "dstack-job-spawner $root";
$SIG{CHLD} = 'IGNORE'; # the supervisors and helpers forked from here are reaped by the kernel

# prctl(PR_SET_CHILD_SUBREAPER) where its number is known: what a job leaves behind stays below its supervisor, which
# then finds the job's session by walking its own process tree instead of reading every process in /proc.
my %PRCTL = (x86_64 => 157, aarch64 => 167, riscv64 => 167, loongarch64 => 167);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
my $prctl = $PRCTL{$arch // ''};

# Whether this process may hand jobs to users of their own itself (see drop_root): root, with a known prctl number and
# no inheritable capabilities (which setpriv would clear and this does not).
my $may_switch_users = $> == 0 && defined($prctl) && (first_line_matching('/proc/self/status', qr/^CapInh:/) // '')
    =~ /^CapInh:\s*0+$/;

# bash as found on PATH once, rather than by each job's exec.
my ($bash) = grep { -f && -x } map { ($_ eq '' ? '.' : $_) . '/bash' } split(/:/, $ENV{PATH} // '');
$bash //= 'bash';

my %pending; # fileno => {fh, id, text}: replies that forked helpers will write
my $log;      # in a supervisor, the job's log, opened at the first record: a job that prints nothing costs no file
my $write_failed = 0;
my $input = '';

syswrite(STDOUT, "dstack-job-spawner 1 $$\n");
while (1) {
    my $wanted = '';
    vec($wanted, fileno(STDIN), 1) = 1;
    vec($wanted, $_, 1) = 1 for keys %pending;
    my $ready = select(my $readable = $wanted, undef, undef, undef);
    if ($ready < 0) {
        next if $!{EINTR};
        die "select failed: $!\n";
    }
    for my $fd (keys %pending) {
        collect_reply($fd) if vec($readable, $fd, 1);
    }
    next if !vec($readable, fileno(STDIN), 1);
    my $read = sysread(STDIN, $input, 65536, length($input));
    if (!defined($read)) {
        next if $!{EINTR};
        die "cannot read requests: $!\n";
    }
    exit(0) if $read == 0; # the executor is gone; the jobs are not ours to stop
    while ((my $newline = index($input, "\n")) >= 0) {
        my $line = substr($input, 0, $newline + 1, '');
        chomp($line);
        handle($line);
    }
}

sub reply {
    my ($id, $outcome, $text) = @_;
    $text =~ s/[\r\n]+/ /g;
    syswrite(STDOUT, "$id $outcome $text\n");
}

sub handle {
    my ($line) = @_;
    my ($id, $verb, $job, $grace) = split(/ /, $line);
    if (!defined($job) || $id !~ /^\d+$/ || $job !~ /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/) {
        return reply($id // 0, 'error', "malformed request '$line'");
    }
    return start_job($id, $job) if $verb eq 'start';
    return signal_job($id, $job, $grace) if $verb eq 'signal' && defined($grace) && $grace =~ /^\d+$/;
    reply($id, 'error', "unknown request '$line'");
}

# Runs $work in a forked helper that writes the reply; the loop goes on meanwhile.
sub fork_helper {
    my ($id, $work) = @_;
    my ($reply_in, $reply_out);
    pipe($reply_in, $reply_out) or return reply($id, 'error', "cannot create a pipe: $!");
    my $pid = fork();
    return reply($id, 'error', "cannot fork: $!") if !defined($pid);
    if ($pid == 0) {
        close($reply_in);
        close($_->{fh}) for values %pending;
        %pending = ();
        POSIX::setsid(); # out of the executor's process group and session: its signals and its end do not reach us
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null'); # off the pipe to the executor, which must see it end when the spawner does
        $SIG{PIPE} = 'IGNORE';          # a reply to a spawner that is gone is no reason to stop
        $work->(sub { syswrite($reply_out, "$id $_[0] " . ($_[1] =~ s/[\r\n]+/ /gr) . "\n"); close($reply_out); });
        POSIX::_exit(0);
    }
    close($reply_out);
    $pending{fileno($reply_in)} = {fh => $reply_in, id => $id, text => ''};
}

sub collect_reply {
    my ($fd) = @_;
    my $entry = $pending{$fd};
    my $read = sysread($entry->{fh}, $entry->{text}, 4096, length($entry->{text}));
    return if !defined($read) && $!{EINTR};
    my $newline = index($entry->{text}, "\n");
    return if $newline < 0 && $read;
    close($entry->{fh});
    delete($pending{$fd});
    if ($newline < 0) {
        return reply($entry->{id}, 'error', 'the helper process ended without answering');
    }
    syswrite(STDOUT, substr($entry->{text}, 0, $newline + 1));
}

sub start_job {
    my ($id, $job) = @_;
    fork_helper($id, sub { supervise($job, @_) });
}

# ---- the supervisor of one job: what job-wrapper.sh does, without starting a shell or a logger program ----

sub supervise {
    my ($job, $answer) = @_;
    if (!chdir("$root/$job")) {
        $answer->('error', "cannot enter the job directory $root/$job: $!");
        return;
    }
    # wrapper.log only when there is something to say: a file created per job costs more than it seems on a busy disk.
    $SIG{__WARN__} = sub {
        open(my $errors, '>>', 'wrapper.log') or return;
        syswrite($errors, $_[0]);
    };
    $0 = "dstack-job-supervisor $job";
    my $subreaper = defined($prctl) && syscall($prctl, 36, 1, 0, 0, 0) == 0;
    # The job's own user, when it has one: the job's process gives up root here, and job.sh (root's) comes on its stdin.
    my $run_as = $may_switch_users ? first_line('user') : '';

    my ($out_in, $out, $err_in, $err, $exec_in, $exec_out, $wake_in, $wake);
    # stdout is a pseudo-terminal, as under dstack's runner: programs then flush each line as they print it (Python's
    # print, C's stdio) instead of when their buffer fills or they exit. stderr stays a pipe of its own.
    ($out_in, $out) = open_pty();
    if (!(($out_in || pipe($out_in, $out)) && pipe($err_in, $err) && pipe($exec_in, $exec_out)
            && pipe($wake_in, $wake))) {
        $answer->('error', "cannot create pipes: $!");
        return;
    }
    $wake->blocking(0);
    $SIG{CHLD} = sub { syswrite($wake, 'x') }; # wakes the select below: no exit goes unnoticed
    my $job_pid = fork();
    if (!defined($job_pid)) {
        $answer->('error', "cannot fork: $!");
        return;
    }
    if ($job_pid == 0) {
        POSIX::setsid(); # the job leads a session and a process group of its own: signals reach all of it
        open(STDOUT, '>&', $out);
        open(STDERR, '>&', $err);
        delete($SIG{__WARN__});
        $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD INT QUIT TERM HUP);
        if ($run_as =~ /^[1-9][0-9]*$/) {
            my $script;
            if (!(open($script, '<', 'job.sh') && open(STDIN, '<&', $script) && drop_root($run_as))) {
                syswrite($exec_out, "cannot run job.sh as user $run_as: $!");
                POSIX::_exit(127);
            }
            exec($bash, '-s') or do {
                syswrite($exec_out, "cannot run '$bash -s': $!");
                POSIX::_exit(127);
            };
        }
        exec($bash, 'job.sh') or do { # $exec_out closes on exec: $exec_in then reads nothing but its end
            syswrite($exec_out, "cannot run 'bash job.sh': $!");
            POSIX::_exit(127);
        };
    }
    close($_) for ($out, $err, $exec_out);
    my $failure = read_all($exec_in);
    if (length($failure)) {
        warn("$failure\n");
        $answer->('error', $failure);
        return;
    }

    my $pid_line = sprintf("%d %d %d\n", $$, start_ticks($$), $job_pid);
    write_once('pid', $pid_line); # one write(2) of a short line: readers see all of it or nothing
    $answer->('ok', $pid_line =~ s/\n//r);

    my $code = eval { log_until_exit($job_pid, $out_in, $err_in, $wake_in, $subreaper) };
    if (!defined($code)) { # no exit file: the job shows as lost, with this in wrapper.log
        warn("the supervisor failed: $@");
        return;
    }
    write_once('exit.tmp', sprintf("%d %d\n", $code, time() * 1000));
    rename('exit.tmp', 'exit') or warn("cannot write the exit file: $!\n");
    link('exit', "../.exited/$job") or write_once("../.exited/$job", ''); # a link costs no inode
}

# Logs the job's output until the job has ended and its output is complete (at most 5 s after its end, since a
# process that left its session may hold the pipes). Returns the exit code, 128+N for signal N.
sub log_until_exit {
    my ($job_pid, $out_in, $err_in, $wake_in, $subreaper) = @_;
    my @streams = (new_stream($out_in, 'O', 'o'), new_stream($err_in, 'E', 'e'));
    my $exit_fd = pidfd($job_pid);
    my ($code, $give_up_at);
    while (1) {
        while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
            next if $pid != $job_pid;
            $code = POSIX::WIFSIGNALED($?) ? 128 + POSIX::WTERMSIG($?) : POSIX::WEXITSTATUS($?);
            end_session($job_pid, $subreaper); # what the job left behind ends with it, as in a container
            $give_up_at = time() + 5;
            undef($exit_fd); # stays readable once the job has ended
        }
        last if defined($code) && (!@streams || time() >= $give_up_at);
        # The job's pidfd wakes select() when the job ends, whenever that is. Without one (Linux before 5.3), a SIGCHLD
        # landing just before select() would only reach the pipe once select returns: look again every 2 s then.
        my $wait = defined($give_up_at) ? $give_up_at - time() : defined($exit_fd) ? undef : 2;
        for my $stream (@streams) {
            next if !length($stream->{rest});
            my $left = $stream->{since} + 0.5 - time();
            $wait = $left if !defined($wait) || $left < $wait;
        }
        $wait = 0 if defined($wait) && $wait < 0;
        my $wanted = '';
        vec($wanted, fileno($_->{fh}), 1) = 1 for @streams;
        vec($wanted, fileno($wake_in), 1) = 1;
        vec($wanted, fileno($exit_fd), 1) = 1 if defined($exit_fd);
        my $ready = select(my $readable = $wanted, undef, undef, $wait);
        if ($ready < 0) {
            next if $!{EINTR};
            die "select failed: $!\n";
        }
        sysread($wake_in, my $ignored, 4096) if $ready > 0 && vec($readable, fileno($wake_in), 1);
        for my $stream (@streams) {
            read_stream($stream) if $ready > 0 && vec($readable, fileno($stream->{fh}), 1);
            flush_stale($stream);
        }
        @streams = grep { !$_->{done} } @streams;
    }
    for my $stream (@streams) { # given up on: keep what came
        record($stream->{fragment}, $stream->{rest}) if length($stream->{rest});
    }
    return $code;
}

# A handle that turns readable when the process ends (pidfd_open, Linux 5.3+; 434 on every architecture), or undef.
sub pidfd {
    my ($pid) = @_;
    return undef if !defined($prctl); # the architectures whose numbers are known here
    my $fd = syscall(434, $pid, 0);
    return undef if $fd < 0;
    open(my $fh, '<&=', $fd) or return undef;
    return $fh;
}

# A pseudo-terminal pair (master, slave) for a job's stdout, or nothing where there is none (then stdout is a pipe).
# The slave passes output as it was written: no carriage return added before newlines, no echo. Core perl has no
# openpty: /dev/ptmx with Linux's ioctls (TIOCSPTLCK to unlock the slave, TIOCGPTN for its number).
sub open_pty {
    return if defined($ENV{DSTACK_JOB_PTY}) && $ENV{DSTACK_JOB_PTY} eq 'off';
    sysopen(my $master, '/dev/ptmx', POSIX::O_RDWR() | POSIX::O_NOCTTY()) or return;
    my $unlock = pack('i', 0);
    ioctl($master, 0x40045431, $unlock) or return;
    my $number = pack('I', 0);
    ioctl($master, 0x80045430, $number) or return;
    sysopen(my $slave, '/dev/pts/' . unpack('I', $number), POSIX::O_RDWR() | POSIX::O_NOCTTY()) or return;
    my $termios = POSIX::Termios->new();
    if ($termios->getattr(fileno($slave)) == 0) {
        $termios->setoflag($termios->getoflag() & ~POSIX::OPOST());
        $termios->setlflag($termios->getlflag() & ~(POSIX::ECHO() | POSIX::ICANON()));
        $termios->setattr(fileno($slave), POSIX::TCSANOW());
    }
    return ($master, $slave);
}

sub end_session {
    my ($job_pid, $subreaper) = @_;
    kill('KILL', -$job_pid);
    my @left = session_members($job_pid, $subreaper ? descendants($$) : all_pids());
    kill('KILL', @left) if @left;
    my ($container, $cli) = container_of('container');
    run_quietly($cli, 'rm', '-f', $container) if length($container);
}

# ---- the job's log: "<epoch millis> <tag> <text>" records, each one write(2) of at most ~4 KiB ----

sub new_stream {
    my ($fh, $complete, $fragment) = @_;
    binmode($fh);
    return {fh => $fh, complete => $complete, fragment => $fragment, rest => '', since => 0, done => 0};
}

sub record {
    my ($tag, $text) = @_;
    if (!defined($log)) {
        if (!open($log, '>>', 'log')) {
            warn("cannot open log: $!\n");
            open($log, '>', '/dev/null') or die "cannot open /dev/null: $!\n";
        }
        binmode($log);
    }
    my $record = sprintf("%d %s %s\n", time() * 1000, $tag, $text);
    my $written = syswrite($log, $record);
    # A full disk must not stop the job: drop the record, say so once.
    warn("cannot write to log: $!\n") if (!defined($written) || $written != length($record)) && !$write_failed++;
}

# Emits the leading 4000-byte pieces of a long text as fragments (never splitting a UTF-8 character); returns the rest.
sub fragments {
    my ($stream, $text) = @_;
    while (length($text) > 4000) {
        my $cut = 4000;
        $cut-- while $cut > 3997 && (ord(substr($text, $cut, 1)) & 0xC0) == 0x80;
        record($stream->{fragment}, substr($text, 0, $cut, ''));
    }
    return $text;
}

sub read_stream {
    my ($stream) = @_;
    my $read = sysread($stream->{fh}, my $chunk, 65536);
    return if !defined($read) && $!{EINTR};
    if (!$read) {
        record($stream->{fragment}, $stream->{rest}) if length($stream->{rest});
        $stream->{rest} = '';
        $stream->{done} = 1;
        return;
    }
    $stream->{since} = time() if !length($stream->{rest});
    $stream->{rest} .= $chunk;
    while ((my $newline = index($stream->{rest}, "\n")) >= 0) {
        my $line = substr($stream->{rest}, 0, $newline + 1, '');
        chop($line);
        record($stream->{complete}, fragments($stream, $line));
        $stream->{since} = time();
    }
    $stream->{rest} = fragments($stream, $stream->{rest});
}

# A line unfinished for 0.5 s (a progress bar) is logged as a fragment.
sub flush_stale {
    my ($stream) = @_;
    return if !length($stream->{rest}) || time() - $stream->{since} < 0.5;
    record($stream->{fragment}, $stream->{rest});
    $stream->{rest} = '';
}

# ---- signals: the job's process group, the rest of its session, its container ----

sub signal_job {
    my ($id, $job, $grace_ms) = @_;
    my $dir = "$root/$job";
    return reply($id, 'ok', 'absent') if !-d $dir;
    return reply($id, 'ok', 'finished') if -e "$dir/exit";
    my @pid = split(' ', first_line("$dir/pid"));
    return reply($id, 'ok', 'not-started') if @pid != 3;
    my $has_container = -s "$dir/container";
    if ($grace_ms == 0 && !$has_container) { # the common abort: nothing to wait for, no fork
        send_to_job('KILL', $dir, @pid);
        return reply($id, 'ok', 'killed');
    }
    # `docker kill` takes a while and the grace period needs a timer that outlives us: both go to a helper.
    fork_helper($id, sub {
        my ($answer) = @_;
        $0 = "dstack-job-signal $job";
        if ($grace_ms == 0) {
            send_to_job('KILL', $dir, @pid);
            return $answer->('ok', 'killed');
        }
        send_to_job('TERM', $dir, @pid);
        $answer->('ok', 'terminated');
        my $kill_at = time() + $grace_ms / 1000;
        while ((my $left = $kill_at - time()) > 0) {
            sleep($left < 0.5 ? $left : 0.5);
            return if -e "$dir/exit" || !kill(0, -$pid[2]); # finished, or its processes are gone
        }
        send_to_job('KILL', $dir, @pid) if !-e "$dir/exit";
    });
}

sub send_to_job {
    my ($signal, $dir, $supervisor, $supervisor_ticks, $job_pid) = @_;
    kill($signal, -$job_pid);
    my $below_supervisor = is_our_subreaper($supervisor, $supervisor_ticks);
    my @left = session_members($job_pid, $below_supervisor ? descendants($supervisor) : all_pids());
    kill($signal, @left) if @left;
    my ($container, $cli) = container_of("$dir/container");
    run_quietly($cli, 'kill', "--signal=$signal", $container) if length($container);
}

# Whether the job's supervisor is alive and one forked here as a subreaper, so that its process tree holds the job.
sub is_our_subreaper {
    my ($pid, $ticks) = @_;
    return 0 if !defined($prctl);
    my $stat = first_line("/proc/$pid/stat");
    return 0 if !length($stat) || (split(' ', substr($stat, rindex($stat, ')') + 2)))[19] ne $ticks;
    return first_line("/proc/$pid/cmdline") =~ /^dstack-job-supervisor /;
}

sub session_members {
    my ($session, @candidates) = @_;
    my @members;
    for my $pid (@candidates) {
        my $stat = first_line("/proc/$pid/stat");
        next if !length($stat);
        my @fields = split(' ', substr($stat, rindex($stat, ')') + 2));
        push(@members, $pid) if $fields[3] == $session && $fields[0] ne 'Z';
    }
    return @members;
}

sub descendants {
    my ($pid) = @_;
    my @found;
    my @todo = ($pid);
    while (defined(my $parent = shift(@todo))) {
        opendir(my $tasks, "/proc/$parent/task") or next;
        for my $task (grep { /^\d+$/ } readdir($tasks)) {
            my @children = split(' ', first_line("/proc/$parent/task/$task/children"));
            push(@found, @children);
            push(@todo, @children);
        }
    }
    return @found;
}

sub all_pids {
    opendir(my $proc, '/proc') or return ();
    return grep { /^\d+$/ && $_ != $$ } readdir($proc);
}

# Gives up root for good, as `setpriv --reuid=ID --regid=ID --clear-groups --no-new-privs` does: the supplementary
# groups (the job's own only), the group, then the user (real, effective and saved), and no_new_privs, so that no
# set-user-id program or file capability gives anything back. Checks each step; false (with $! set) on any failure.
sub drop_root {
    my ($id) = @_;
    $) = "$id $id";
    if (grep { $_ != $id } split(' ', $))) {
        $! = Errno::EPERM();
        return 0;
    }
    POSIX::setgid($id) or return 0;
    POSIX::setuid($id) or return 0;
    if ($< != $id || $> != $id || (split(' ', $())[0] != $id || POSIX::setuid(0)) {
        $! = Errno::EPERM();
        return 0;
    }
    return syscall($prctl, 38, 1, 0, 0, 0) == 0; # PR_SET_NO_NEW_PRIVS
}

# ---- small helpers ----

sub start_ticks {
    my ($pid) = @_;
    my $stat = first_line("/proc/$pid/stat");
    return 0 if !length($stat);
    return (split(' ', substr($stat, rindex($stat, ')') + 2)))[19] // 0;
}

# The container file: the container's name, then the container CLI that runs it (docker when absent).
sub container_of {
    my ($file) = @_;
    open(my $fh, '<', $file) or return ('', 'docker');
    my @lines = map { my $l = $_ // ''; chomp($l); $l } (scalar(<$fh>), scalar(<$fh>));
    return ($lines[0], length($lines[1]) ? $lines[1] : 'docker');
}

sub first_line {
    my ($file) = @_;
    open(my $fh, '<', $file) or return '';
    my $line = <$fh> // '';
    chomp($line);
    $line =~ s/\0/ /g;
    return $line;
}

sub first_line_matching {
    my ($file, $pattern) = @_;
    open(my $fh, '<', $file) or return undef;
    while (my $line = <$fh>) {
        chomp($line);
        return $line if $line =~ $pattern;
    }
    return undef;
}

sub read_all {
    my ($fh) = @_;
    my $text = '';
    while (1) {
        my $read = sysread($fh, $text, 4096, length($text));
        next if !defined($read) && $!{EINTR};
        last if !$read;
    }
    return $text;
}

sub write_once {
    my ($file, $text) = @_;
    open(my $fh, '>', $file) or return warn("cannot write $file: $!\n");
    syswrite($fh, $text);
    close($fh);
}

sub run_quietly {
    my @command = @_;
    my $pid = fork();
    return if !defined($pid);
    if ($pid == 0) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', '/dev/null');
        $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD);
        exec(@command) or POSIX::_exit(127);
    }
    1 while waitpid($pid, 0) < 0 && $!{EINTR};
}
