package ai.dstack.maven;

import ai.dstack.api.DstackException;
import ai.dstack.build.internal.ConnectionSettings;
import ai.dstack.build.internal.DstackBuildException;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import java.io.File;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The settings every goal shares, with the Gradle plugin's names and defaults, and the one place where dstack's
 * errors become build failures.
 */
abstract class AbstractDstackMojo extends AbstractMojo {
    /** The server URL; without it, {@code ~/.dstack/config.yml} (or {@link #dataDirectory}) decides. */
    @Parameter(property = "dstack.url")
    String url;

    /** The user token; required with {@link #url}. */
    @Parameter(property = "dstack.token")
    String token;

    /** The project; the configured default, or {@code main}. */
    @Parameter(property = "dstack.project")
    String project;

    /** The client config file to read instead of {@code ~/.dstack/config.yml}. */
    @Parameter(property = "dstack.configFile")
    File configFile;

    /** Run on an engine embedded in the build, with its state, logs and jobs in this directory. */
    @Parameter(property = "dstack.dataDirectory")
    File dataDirectory;

    /** Skip the goal. */
    @Parameter(property = "dstack.skip", defaultValue = "false")
    boolean skip;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("dstack: skipped (dstack.skip)");
            return;
        }
        try {
            run();
        } catch (DstackBuildException | DstackException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("dstack: interrupted", e);
        }
    }

    abstract void run() throws MojoFailureException, InterruptedException;

    ConnectionSettings settings() {
        return new ConnectionSettings(url, token, project,
                configFile == null ? null : configFile.toPath(), dataDirectory == null ? null : dataDirectory.toPath());
    }

    /** Connects, hands the project to {@code work}, and closes the client. */
    void withProject(ProjectWork work) throws InterruptedException {
        ConnectionSettings settings = settings();
        try (DstackClient client = settings.connect()) {
            DstackProject target = client.project();
            getLog().debug("dstack: project " + target.name() + " at " + settings.describe());
            work.run(target);
        }
    }

    interface ProjectWork {
        void run(DstackProject project) throws InterruptedException;
    }
}
