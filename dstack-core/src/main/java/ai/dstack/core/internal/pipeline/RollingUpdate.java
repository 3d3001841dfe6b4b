package ai.dstack.core.internal.pipeline;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;

/**
 * Applies a changed spec to an active run in place, as dstack's {@code apply} with action {@code update} does: the
 * run gets the new spec and the next {@code deployment_num}. For a service, the run's passes then roll the new
 * deployment out ({@link ServiceReplicas}); other run types only change fields that need no restart.
 */
public final class RollingUpdate {
    private static final int ATTEMPTS = 400;

    private final EngineContext context;

    public RollingUpdate(EngineContext context) {
        this.context = context;
    }

    /** Stores {@code spec} as the run's spec with a new deployment, waiting out a pass that holds the run. */
    public RunRow apply(ProjectRow project, String runName, RunSpec spec) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            RunRow updated = context.store.inTransaction(tx -> {
                RunRow run = tx.runs().findByName(project.id(), runName).orElseThrow(
                        () -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Run " + runName + " not found"));
                if (RunStatus.fromWireValue(run.status()).isFinished()) {
                    throw new DstackException(ErrorCode.ERROR, "Run " + runName + " finished while being updated; apply again");
                }
                RunRow next = run.toBuilder().runSpec(Json.write(spec)).deploymentNum(run.deploymentNum() + 1)
                        .skipMinProcessingInterval(true).build();
                return tx.runs().updateIfNotLeased(next, context.clock.instant()) ? next : null;
            });
            if (updated != null) {
                context.hintRun(updated.id());
                return updated;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new DstackException(ErrorCode.ERROR, "Run " + runName + " is busy; apply the update again");
    }
}
