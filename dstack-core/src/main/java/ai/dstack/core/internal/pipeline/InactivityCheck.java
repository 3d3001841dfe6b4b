package ai.dstack.core.internal.pipeline;

import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * dstack's {@code inactivity_duration}: a running dev environment that nobody has been attached to for that many
 * seconds is terminated with {@code inactivity_duration_exceeded}. Runs of other types are remembered and never read
 * again, so tasks and services pay one lookup each.
 */
final class InactivityCheck {
    private final EngineContext context;
    private final Set<UUID> notDevEnvironments = ConcurrentHashMap.newKeySet();

    InactivityCheck(EngineContext context) {
        this.context = context;
    }

    /** dstack's termination message when the job has been idle too long, else empty. */
    Optional<String> exceeded(JobRow job) {
        if (notDevEnvironments.contains(job.runId())) {
            return Optional.empty();
        }
        RunRow run = context.store.inReadOnlyTransaction(tx -> tx.runs().find(job.runId())).orElse(null);
        if (run == null) {
            return Optional.empty();
        }
        // Read every time: inactivity_duration may change in place when the run is re-applied.
        RunSpec spec = Json.read(run.runSpec(), RunSpec.class);
        if (!(spec.configuration() instanceof DevEnvironmentConfiguration devEnvironment)) {
            notDevEnvironments.add(job.runId());
            return Optional.empty();
        }
        Long limit = devEnvironment.inactivityDuration();
        if (limit == null || limit <= 0) {
            return Optional.empty();
        }
        Instant started = job.startedAt() != null ? job.startedAt() : job.submittedAt();
        Duration idle = context.activity.idle(job.id(), started);
        if (idle.getSeconds() < limit) {
            return Optional.empty();
        }
        return Optional.of("The job was inactive for " + idle.getSeconds() + " seconds, exceeding the inactivity_duration of "
                + limit + " seconds");
    }

    void forget(JobRow job) {
        context.activity.forget(job.id());
        notDevEnvironments.remove(job.runId());
    }
}
