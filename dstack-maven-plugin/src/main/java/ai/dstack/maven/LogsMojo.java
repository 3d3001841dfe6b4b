package ai.dstack.maven;

import ai.dstack.build.internal.RunCommands;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Prints a run's output as {@code dstack logs} does; with {@code follow}, until the run ends. */
@Mojo(name = "logs", threadSafe = true, requiresProject = false)
public class LogsMojo extends AbstractDstackMojo {
    /** The run. */
    @Parameter(property = "dstack.runName")
    String runName;

    /** Keep following until the run ends. */
    @Parameter(property = "dstack.follow", defaultValue = "false")
    boolean follow;

    @Override
    void run() throws InterruptedException {
        withProject(project -> new RunCommands(project, getLog()::info).logs(runName, follow));
    }
}
