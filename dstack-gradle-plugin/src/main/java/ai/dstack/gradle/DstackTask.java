package ai.dstack.gradle;

import ai.dstack.api.DstackException;
import ai.dstack.build.internal.ConnectionSettings;
import ai.dstack.build.internal.DstackBuildException;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import java.io.File;
import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.file.DirectoryProperty;
import org.gradle.api.file.RegularFileProperty;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Internal;

/**
 * A task that talks to dstack: the extension's connection settings (wired by {@link DstackPlugin}), and the one
 * place where dstack's errors become build failures. Talking to a server is never up to date.
 */
public abstract class DstackTask extends DefaultTask {
    protected DstackTask() {
        setGroup("dstack");
        getOutputs().upToDateWhen(task -> false);
    }

    @Internal
    public abstract Property<String> getUrl();

    @Internal
    public abstract Property<String> getToken();

    @Internal
    public abstract Property<String> getProjectName();

    @Internal
    public abstract RegularFileProperty getConfigFile();

    @Internal
    public abstract DirectoryProperty getDataDirectory();

    /** What messages name files relative to: the project directory. */
    @Internal
    public abstract DirectoryProperty getBaseDirectory();

    /** {@code file} as messages show it: relative to {@link #getBaseDirectory()}. */
    protected String shownAs(File file) {
        return ai.dstack.build.internal.ConfigurationFiles.shownAs(file.toPath(),
                getBaseDirectory().get().getAsFile().toPath());
    }

    /** One line of output into the build's log (shown without {@code --info}). */
    protected void log(String line) {
        getLogger().lifecycle(line);
    }

    /** Connects, hands the project to {@code work}, closes the client; dstack's errors fail the build. */
    protected void withProject(ProjectWork work) {
        ConnectionSettings settings = new ConnectionSettings(getUrl().getOrNull(), getToken().getOrNull(),
                getProjectName().getOrNull(), path(getConfigFile().getAsFile().getOrNull()),
                path(getDataDirectory().getAsFile().getOrNull()));
        try (DstackClient client = settings.connect()) {
            work.run(client.project());
        } catch (DstackBuildException | DstackException e) {
            throw new GradleException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GradleException("dstack: interrupted", e);
        }
    }

    private static java.nio.file.Path path(File file) {
        return file == null ? null : file.toPath();
    }

    /** Work on one project. */
    protected interface ProjectWork {
        void run(DstackProject project) throws InterruptedException;
    }
}
