package ai.dstack.core.internal.host;

import ai.dstack.spi.host.JobLaunch;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in engine for {@link EngineCrashTest}: starts one job under {@code args[0]} with id {@code args[1]}, says
 * so on stdout, and waits to be killed.
 */
public final class JobLaunchingMain {
    private JobLaunchingMain() {}

    public static void main(String[] args) throws InterruptedException {
        LocalHostExecutor host = new LocalHostExecutor(Path.of(args[0]));
        host.start(JobLaunch.of(args[1], List.of(
                "echo before",
                LocalHostExecutorTest.WAIT_FOR_GO,
                "for i in $(seq 1 50); do echo line-$i; echo warn-$i >&2; done",
                "exit 5")));
        host.onFinished(new ai.dstack.spi.host.JobHandle(args[1])); // a watcher thread, as a real engine has
        System.out.println("STARTED " + args[1]);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
