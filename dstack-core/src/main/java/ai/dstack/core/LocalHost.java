package ai.dstack.core;

import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.spi.host.HostExecutor;
import java.nio.file.Path;

/** This machine as a host for jobs: what {@link DstackEngine}'s {@code local} fleet runs on, for tools and benchmarks. */
public final class LocalHost {
    private LocalHost() {}

    /** Runs jobs as detached processes of this machine, each in its own directory under {@code jobsDirectory}. */
    public static HostExecutor executor(Path jobsDirectory) {
        return new LocalHostExecutor(jobsDirectory);
    }
}
