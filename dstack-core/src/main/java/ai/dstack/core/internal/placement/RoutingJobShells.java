package ai.dstack.core.internal.placement;

import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.ShellRequest;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Shells into jobs wherever they run: the engine's own host's through {@code local}, an SSH host's through that
 * host's own shells (over its connection), chosen by where the job was placed.
 */
public final class RoutingJobShells implements JobShells {
    private final JobShells local;
    private final HostRouter router;
    /** Who opened each live shell, for resizing its terminal. */
    private final Map<Process, JobShells> openedBy = Collections.synchronizedMap(new WeakHashMap<>());

    public RoutingJobShells(JobShells local, HostRouter router) {
        this.local = local;
        this.router = router;
    }

    private JobShells of(JobHandle job) {
        return router.shellsOf(job).orElse(local);
    }

    @Override
    public Process open(JobHandle job, ShellRequest request) {
        JobShells shells = of(job);
        Process process = shells.open(job, request);
        openedBy.put(process, shells);
        return process;
    }

    @Override
    public void resize(Process shell, int columns, int rows) {
        openedBy.getOrDefault(shell, local).resize(shell, columns, rows);
    }

    @Override
    public String workingDirectory(JobHandle job) {
        return of(job).workingDirectory(job);
    }

    @Override
    public boolean listensOn(JobHandle job, int port) {
        return of(job).listensOn(job, port);
    }

    @Override
    public InetSocketAddress portAddress(JobHandle job, int port) {
        return of(job).portAddress(job, port);
    }

    @Override
    public void endLeftovers(JobHandle job) {
        of(job).endLeftovers(job);
    }
}
