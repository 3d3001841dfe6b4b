package ai.dstack.backend.ssh.internal;

import java.time.Duration;

/**
 * Timings of SSH connections.
 *
 * @param connectTimeout how long one connection attempt (TCP, key exchange, authentication) may take
 * @param keepAlive how often an idle connection sends a keep-alive, so NAT and firewalls keep it open
 * @param grace how long a host may stay unreachable before calls fail and the host is reported unreachable;
 *     within it, calls wait and reconnect, so a brief drop fails nothing
 * @param maxBackoff the longest pause between reconnection attempts (they start at 200 ms and double)
 * @param exitPoll how often the host's exit markers are listed to notice finished jobs
 */
public record SshSettings(Duration connectTimeout, Duration keepAlive, Duration grace, Duration maxBackoff,
        Duration exitPoll) {

    public static SshSettings defaults() {
        return new SshSettings(Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    public SshSettings withGrace(Duration newGrace) {
        return new SshSettings(connectTimeout, keepAlive, newGrace, maxBackoff, exitPoll);
    }

    public SshSettings withExitPoll(Duration newExitPoll) {
        return new SshSettings(connectTimeout, keepAlive, grace, maxBackoff, newExitPoll);
    }
}
