package ai.dstack.maven;

import ai.dstack.build.internal.RunCommands;
import java.util.List;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Stops runs as {@code dstack stop} does ({@code abort} for {@code --abort}). */
@Mojo(name = "stop", threadSafe = true, requiresProject = false)
public class StopMojo extends AbstractDstackMojo {
    /** The runs to stop, e.g. {@code -Ddstack.runName=train} or {@code -Ddstack.runName=a,b}. */
    @Parameter(property = "dstack.runName")
    List<String> runNames;

    /** Abort instead of stopping gracefully. */
    @Parameter(property = "dstack.abort", defaultValue = "false")
    boolean abort;

    @Override
    void run() throws InterruptedException {
        withProject(project -> new RunCommands(project, getLog()::info)
                .stop(runNames == null ? List.of() : runNames, abort));
    }
}
