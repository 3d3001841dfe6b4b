package ai.dstack.maven;

import ai.dstack.build.internal.RunCommands;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Lists the project's runs as {@code dstack ps} does ({@code all} for {@code -a}). */
@Mojo(name = "ps", threadSafe = true, requiresProject = false)
public class PsMojo extends AbstractDstackMojo {
    /** Finished runs too. */
    @Parameter(property = "dstack.all", defaultValue = "false")
    boolean all;

    @Override
    void run() throws InterruptedException {
        withProject(project -> new RunCommands(project, getLog()::info).ps(all));
    }
}
