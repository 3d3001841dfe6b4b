package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.RunLimits;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.UserRow;
import java.util.List;

/**
 * Counts a user's and a project's active or queued runs against {@link RunLimits}, so that one user's queue cannot
 * fill a project, nor one project the server. The application layer asks before each new run.
 */
public final class RunQuotas {
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
        List<RunRow> active = context.store.inReadOnlyTransaction(tx -> tx.runs().listByProject(project.id(), false,
                Integer.MAX_VALUE)).stream().filter(r -> !RunStatus.fromWireValue(r.status()).isFinished()).toList();
        long own = active.stream().filter(r -> r.userId().equals(user.id())).count();
        if (limits.perUser() > 0 && own >= limits.perUser()) {
            throw new DstackException(ErrorCode.ERROR, "You have " + own + " active or queued runs in project "
                    + project.name() + ", the most a user may have (" + RunLimits.PER_USER_VARIABLE + "="
                    + limits.perUser() + "); stop one or wait for one to finish");
        }
        if (limits.perProject() > 0 && active.size() >= limits.perProject()) {
            throw new DstackException(ErrorCode.ERROR, "Project " + project.name() + " has " + active.size()
                    + " active or queued runs, the most a project may have (" + RunLimits.PER_PROJECT_VARIABLE + "="
                    + limits.perProject() + "); stop one or wait for one to finish");
        }
    }
}
