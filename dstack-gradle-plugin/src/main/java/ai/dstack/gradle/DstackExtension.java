package ai.dstack.gradle;

import org.gradle.api.file.DirectoryProperty;
import org.gradle.api.file.RegularFileProperty;
import org.gradle.api.provider.Property;

/**
 * {@code dstack { ... }}: where the tasks send their work. All unset: the default project of
 * {@code ~/.dstack/config.yml}, as the {@code dstack} CLI reads it ({@code DSTACK_SERVER_URL}, {@code DSTACK_TOKEN}
 * and {@code DSTACK_PROJECT} included).
 */
public abstract class DstackExtension {
    /** The server URL, e.g. {@code http://127.0.0.1:3000}; Gradle property {@code dstack.url}. */
    public abstract Property<String> getUrl();

    /** The user token, required with a URL; Gradle property {@code dstack.token}. */
    public abstract Property<String> getToken();

    /** The project; the configured default, or {@code main}; Gradle property {@code dstack.project}. */
    public abstract Property<String> getProject();

    /** The client config file instead of {@code ~/.dstack/config.yml}; Gradle property {@code dstack.configFile}. */
    public abstract RegularFileProperty getConfigFile();

    /**
     * Runs on an engine embedded in the build, with its state, logs and jobs in this directory, instead of a server;
     * Gradle property {@code dstack.dataDirectory}.
     */
    public abstract DirectoryProperty getDataDirectory();
}
