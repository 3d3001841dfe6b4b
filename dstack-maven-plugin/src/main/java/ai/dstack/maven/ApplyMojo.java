package ai.dstack.maven;

import ai.dstack.build.internal.ConfigurationFiles;
import ai.dstack.build.internal.RunApplier;
import java.io.File;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Submits a run configuration as {@code dstack apply -y} does, streams the run's output into the build log until
 * it ends, and fails the build unless it ended {@code done}; with {@code detach}, returns once submitted.
 */
@Mojo(name = "apply", threadSafe = true, requiresProject = false)
public class ApplyMojo extends AbstractDstackMojo {
    @Parameter(defaultValue = "${basedir}", readonly = true)
    File basedir;

    /** The configuration file. */
    @Parameter(property = "dstack.file", defaultValue = "${basedir}/.dstack.yml")
    File file;

    /** The run name; by default the file's {@code name:} or a generated one. */
    @Parameter(property = "dstack.runName")
    String runName;

    /** Return once the run is submitted. */
    @Parameter(property = "dstack.detach", defaultValue = "false")
    boolean detach;

    @Override
    void run() throws InterruptedException {
        String shownAs = ConfigurationFiles.shownAs(file.toPath(), basedir.toPath());
        withProject(project -> new RunApplier(project, getLog()::info).apply(file.toPath(), shownAs, runName, detach));
    }
}
