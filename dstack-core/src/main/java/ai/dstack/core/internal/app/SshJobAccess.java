package ai.dstack.core.internal.app;

import ai.dstack.core.app.JobAccess;
import ai.dstack.core.app.SshJob;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.core.internal.context.SshTarget;
import ai.dstack.core.internal.operations.SshTargets;
import ai.dstack.spi.host.JobShells;
import java.util.Optional;
import java.util.UUID;

/** {@link JobAccess} over the engine's SSH targets and session activity. */
public final class SshJobAccess implements JobAccess {
    private final Engine engine;
    private final SshTargets targets;

    public SshJobAccess(Engine engine) {
        this.engine = engine;
        this.targets = engine.sshTargets();
    }

    @Override
    public Optional<JobShells> shells() {
        return engine.jobShells();
    }

    @Override
    public Optional<SshJob> find(String upstreamId) {
        return targets.find(upstreamId).map(SshJobAccess::view);
    }

    @Override
    public boolean running(UUID jobId) {
        return targets.running(jobId);
    }

    @Override
    public Attachment attach(UUID jobId) {
        return engine.activity().attach(jobId)::close;
    }

    @Override
    public void publishSshEndpoint(String hostname, int port) {
        engine.publishSshEndpoint(hostname, port);
    }

    private static SshJob view(SshTarget t) {
        return new SshJob(t.jobId(), t.projectName(), t.runSpec(), t.jobSpec(), t.authorizedKeys());
    }
}
