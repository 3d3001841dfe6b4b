package ai.dstack.core.internal.operations;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.context.SshTarget;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.UserRow;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Finds the job an SSH client names by its upstream id (as dstack's sshproxy does) and who may enter it: whoever
 * holds the key in the run spec ({@code ssh_key_pub}, the submitter's by default) while the submitter may still use
 * the project, or the key of an active member of the run's project.
 */
public final class SshTargets {
    private static final Pattern UPSTREAM_ID = Pattern.compile("[0-9a-f]{32}");

    private final EngineContext context;

    public SshTargets(EngineContext context) {
        this.context = context;
    }

    /** The running job {@code upstreamId} names; empty for anything else (unknown, finished, malformed). */
    public Optional<SshTarget> find(String upstreamId) {
        if (upstreamId == null || !UPSTREAM_ID.matcher(upstreamId).matches()) {
            return Optional.empty();
        }
        UUID jobId = UUID.fromString(upstreamId.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        return context.store.inReadOnlyTransaction(tx -> {
            Optional<JobRow> job = tx.jobs().find(jobId).filter(row -> JobStatus.RUNNING.wireValue().equals(row.status()));
            if (job.isEmpty()) {
                return Optional.<SshTarget>empty();
            }
            Optional<RunRow> run = tx.runs().find(job.get().runId());
            Optional<ProjectRow> project = tx.projects().find(job.get().projectId());
            if (run.isEmpty() || project.isEmpty()) {
                return Optional.<SshTarget>empty();
            }
            RunSpec runSpec = Json.read(run.get().runSpec(), RunSpec.class);
            List<MemberRow> members = tx.projects().members(project.get().id());
            // The run's key opens it only while its submitter may still use the project.
            boolean ownerMayEnter = tx.users().find(run.get().userId())
                    .filter(owner -> owner.active() && !owner.deleted())
                    .filter(owner -> "admin".equals(owner.globalRole())
                            || members.stream().anyMatch(member -> member.userId().equals(owner.id())))
                    .isPresent();
            Set<String> keys = new LinkedHashSet<>();
            if (runSpec.sshKeyPub() != null && ownerMayEnter) {
                keys.add(runSpec.sshKeyPub().strip());
            }
            for (MemberRow member : members) {
                tx.users().find(member.userId()).filter(user -> user.active() && !user.deleted())
                        .map(UserRow::sshPublicKey).filter(key -> key != null && !key.isBlank())
                        .ifPresent(key -> keys.add(key.strip()));
            }
            return Optional.of(new SshTarget(jobId, project.get().name(), runSpec,
                    Json.read(job.get().jobSpecData(), JobSpec.class), List.copyOf(keys)));
        });
    }

    /** Whether the job is still running (open sessions into a job that ended are closed). */
    public boolean running(UUID jobId) {
        return context.store.inReadOnlyTransaction(tx -> tx.jobs().find(jobId))
                .map(row -> JobStatus.RUNNING.wireValue().equals(row.status())).orElse(false);
    }
}
