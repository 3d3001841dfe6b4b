package ai.dstack.spi.host;

import java.time.Instant;
import java.util.Objects;

/** What a host knows about a job right now. */
public sealed interface HostJobState {

    /** Whether the job will not change any more (it exited or was lost). */
    default boolean isFinal() {
        return !(this instanceof Running);
    }

    /**
     * The job's commands are running.
     *
     * @param processGroupId the id of the job's process group (and session) on the host
     */
    record Running(long processGroupId) implements HostJobState {}

    /**
     * The job's commands ended and all their output is in the log.
     *
     * @param exitCode the shell's exit code; {@code 128 + N} when signal N ended it (143 for SIGTERM, 137 for SIGKILL)
     * @param finishedAt when the host recorded the exit
     */
    record Exited(int exitCode, Instant finishedAt) implements HostJobState {
        public Exited {
            Objects.requireNonNull(finishedAt, "finishedAt is null");
        }
    }

    /**
     * The host has no running process and no exit code for the job: it was never started, its files were removed,
     * or its supervising process died without recording an exit (killed, or the host rebooted).
     *
     * @param reason a sentence for the user saying which of these happened
     */
    record Lost(String reason) implements HostJobState {
        public Lost {
            Objects.requireNonNull(reason, "reason is null");
        }
    }
}
