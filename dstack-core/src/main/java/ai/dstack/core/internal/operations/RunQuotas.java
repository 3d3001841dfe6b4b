package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.RunLimits;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Counts a user's and a project's active or queued runs against {@link RunLimits}, so that one user's queue cannot
 * fill a project, nor one project the server. The application layer asks before each new run.
 */
public final class RunQuotas {
    /** The statuses of finished runs (the literals of V33's index of active runs). */
    private static final Set<String> FINISHED = Arrays.stream(RunStatus.values()).filter(RunStatus::isFinished)
            .map(RunStatus::wireValue).collect(Collectors.toUnmodifiableSet());

    private final EngineContext context;

    public RunQuotas(EngineContext context) {
        this.context = context;
    }

    /** Refuses a new run of {@code user} in {@code project} over either limit, naming the setting. */
    public void requireRoomForNewRun(ProjectRow project, UserRow user) {
        RunLimits limits = context.runLimits;
        if (limits.perUser() == 0 && limits.perProject() == 0) {
            return;
        }
        // Counted up to the limit (an index range of the active runs), so that the check does not grow with the
        // project's runs; exactly only for the message when refusing.
        String refusal = context.store.inReadOnlyTransaction(tx -> {
            if (limits.perUser() > 0
                    && tx.runs().countActive(project.id(), user.id(), FINISHED, limits.perUser()) >= limits.perUser()) {
                return "You have " + tx.runs().countActive(project.id(), user.id(), FINISHED, 0)
                        + " active or queued runs in project " + project.name() + ", the most a user may have ("
                        + RunLimits.PER_USER_VARIABLE + "=" + limits.perUser() + "); stop one or wait for one to finish";
            }
            if (limits.perProject() > 0
                    && tx.runs().countActive(project.id(), null, FINISHED, limits.perProject()) >= limits.perProject()) {
                return "Project " + project.name() + " has " + tx.runs().countActive(project.id(), null, FINISHED, 0)
                        + " active or queued runs, the most a project may have (" + RunLimits.PER_PROJECT_VARIABLE
                        + "=" + limits.perProject() + "); stop one or wait for one to finish";
            }
            return null;
        });
        if (refusal != null) {
            throw new DstackException(ErrorCode.ERROR, refusal);
        }
    }
}
