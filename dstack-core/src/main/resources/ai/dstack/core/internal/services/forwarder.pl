#!/usr/bin/perl
# dstack replica forwarder: runs inside a replica's network namespace. Listens on a Unix socket (which the engine,
# outside the namespace, can reach) and joins each connection to 127.0.0.1:<port> inside the namespace. Sends one
# byte "1" once the port answered, so the engine knows the replica accepts connections; closes at once otherwise.
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Socket::INET;
use IO::Select;
use POSIX ();
use Socket qw(SOCK_STREAM);

my ($path, $port) = @ARGV;
die "usage: forwarder.pl <socket> <port>\n" unless defined $port;
unlink $path;
my $server = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $path, Listen => 128)
    or die "dstack forwarder: cannot listen on $path: $!\n";
$SIG{CHLD} = sub { while (waitpid(-1, POSIX::WNOHANG()) > 0) {} };
my $parent = getppid();
my $waiting = IO::Select->new($server);

while (1) {
    exit 0 if getppid() != $parent;    # the replica's shell is gone
    next unless $waiting->can_read(1);
    my $client = $server->accept or next;
    my $pid = fork;
    if (!defined $pid) { close $client; next; }
    if ($pid) { close $client; next; }
    close $server;
    my $app = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp');
    POSIX::_exit(0) unless $app;
    syswrite($client, "1") or POSIX::_exit(0);
    my %peer = (fileno($client) => $app, fileno($app) => $client);
    my $select = IO::Select->new($client, $app);
    while ($select->count) {
        for my $from ($select->can_read) {
            my $to = $peer{fileno($from)};
            my $n = sysread($from, my $buffer, 65536);
            if (!$n) {
                shutdown($to, 1);
                $select->remove($from);
                next;
            }
            my $done = 0;
            while ($done < $n) {
                my $written = syswrite($to, $buffer, $n - $done, $done);
                POSIX::_exit(0) unless defined $written;
                $done += $written;
            }
        }
    }
    POSIX::_exit(0);
}
