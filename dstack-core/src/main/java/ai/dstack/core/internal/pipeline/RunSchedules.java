package ai.dstack.core.internal.pipeline;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.Schedule;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.core.internal.runs.CronSchedule;
import ai.dstack.core.internal.runs.MergedProfile;
import java.time.Instant;

/**
 * Runs with {@code schedule.cron}: they wait as {@code pending} until the earliest of their crons fires, run, and go
 * back to {@code pending} for the next fire unless a user stopped or aborted them (as dstack does).
 */
final class RunSchedules {
    private RunSchedules() {}

    static boolean isScheduled(RunSpec spec) {
        return MergedProfile.of(spec).params().schedule() != null;
    }

    /**
     * The next fire at or after {@code now}, or null for a run without a schedule.
     *
     * @throws DstackException for a cron expression that does not parse or never fires
     */
    static Instant nextTrigger(RunSpec spec, Instant now) {
        return CronSchedule.nextTrigger(spec, now);
    }

    /** Whether a scheduled run that ended for this reason waits for its next fire instead of finishing. */
    static boolean waitsForNextFire(RunTerminationReason reason) {
        return reason != RunTerminationReason.ABORTED_BY_USER && reason != RunTerminationReason.STOPPED_BY_USER;
    }
}
