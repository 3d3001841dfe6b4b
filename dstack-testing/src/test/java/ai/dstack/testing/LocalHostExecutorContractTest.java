package ai.dstack.testing;

import static org.awaitility.Awaitility.await;

import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host executor contract on the engine's own machine. The local executor's own tests (process groups, a dying
 * supervisor, the environment it keeps out, many jobs without a thread each) are in dstack-core.
 */
class LocalHostExecutorContractTest extends HostExecutorContract {
    @TempDir
    Path root;

    /**
     * Jobs run as this process's user: the contract's gates are files in the test's own private directory, which a
     * job with a user of its own (as the engine runs them when root) could not see. That separation is tested in
     * dstack-core (LocalHostExecutorTest) and dstack-server (LocalFleetSecurityTest).
     */
    @Override
    protected HostExecutor newExecutor() {
        return new LocalHostExecutor(root, LocalHostExecutor.defaultBaseEnvironment(), false);
    }

    @Override
    protected String hostName() {
        return "this host";
    }

    /** Until its wrapper is gone a job may still write in the directory that JUnit deletes next. */
    @Override
    protected void tearDownHost() {
        try (LocalHostExecutor host = new LocalHostExecutor(root, LocalHostExecutor.defaultBaseEnvironment(), false)) {
            await().atMost(WAIT).until(() -> host.jobs().stream().noneMatch(job -> wrapperAlive(host, job)));
        }
    }

    private static boolean wrapperAlive(LocalHostExecutor host, JobHandle job) {
        try {
            long pid = Long.parseLong(Files.readString(host.jobDirectory(job).resolve("pid")).strip().split(" ")[0]);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
