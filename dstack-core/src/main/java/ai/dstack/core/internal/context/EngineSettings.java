package ai.dstack.core.internal.context;

import java.time.Duration;

/**
 * The engine's tunables. Sweeps are safety nets only: events drive the normal path.
 *
 * @param owner who this engine is in leases (unique per engine process)
 * @param lease how long a claimed row stays ours without a heartbeat
 * @param sweep how often loops look for work nobody announced (another replica's, or after a restart)
 * @param runningCheck how often a running job is looked at without an event (max_duration, logs, a lost process)
 * @param capacityRetry how often a job that waits for capacity retries without an event
 * @param logPump how often the logs of running jobs are copied to the log store
 * @param batch how many rows one step claims at most
 * @param keepJobFiles whether a finished job's files (script, output, exit code) stay on its host; by default they
 *     are removed once its logs are stored
 */
public record EngineSettings(
        String owner, Duration lease, Duration sweep, Duration runningCheck, Duration capacityRetry, Duration logPump,
        int batch, boolean keepJobFiles) {
    /**
     * How long a waiting job or run may go without a look when nothing happens to it. Their wake-ups (freed capacity,
     * retry deadlines and backoffs) are timers in the memory of the replica that last looked at them; if that replica
     * dies, another one finds them this long after, by its sweep. Long enough that a queue is not rewritten while it
     * waits (one write per waiting row per this interval).
     */
    public static final Duration WAITING_SAFETY_NET = Duration.ofMinutes(10);

    public static EngineSettings defaults(String owner) {
        return new EngineSettings(owner, Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofMillis(250), 64, false);
    }
}
