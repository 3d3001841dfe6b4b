package ai.dstack.build.internal;

import ai.dstack.api.DstackException;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the plugins' tasks and goals send their work, with the CLI's defaults: a server given by {@code url} and
 * {@code token}; else an engine embedded in the build's JVM on {@code dataDirectory} when one is set; else the
 * project of {@code ~/.dstack/config.yml} (or {@code configFile}) as {@code dstack} reads it, which also honours
 * {@code DSTACK_SERVER_URL}, {@code DSTACK_TOKEN} and {@code DSTACK_PROJECT}.
 *
 * @param url the server URL, or null
 * @param token the user token, required with {@code url}
 * @param project the project; null for the configured default ({@code main} for a URL or an embedded engine)
 * @param configFile the client config file instead of {@code ~/.dstack/config.yml}, or null
 * @param dataDirectory the embedded engine's server directory (state, logs, jobs), or null
 */
public record ConnectionSettings(String url, String token, String project, Path configFile, Path dataDirectory) {
    /** dstack's default project, which {@code dstack server} creates. */
    public static final String DEFAULT_PROJECT = "main";

    public ConnectionSettings {
        url = blankToNull(url);
        token = blankToNull(token);
        project = blankToNull(project);
    }

    /**
     * A client as described above; the caller closes it.
     *
     * @throws DstackBuildException naming the setting to fix when the settings do not lead to a server
     */
    public DstackClient connect() {
        if (url != null && dataDirectory != null) {
            throw new DstackBuildException("dstack: set either url (a server) or dataDirectory (an embedded engine), not both");
        }
        Map<String, String> settings = new HashMap<>();
        if (project != null) {
            settings.put(Dstack.PROJECT, project);
        }
        if (url != null) {
            if (token == null) {
                throw new DstackBuildException("dstack: url is set to " + url + " but token is not; set the token too"
                        + " (the server prints the admin token at start)");
            }
            settings.put(Dstack.MODE, "remote");
            settings.put(Dstack.URL, url);
            settings.put(Dstack.TOKEN, token);
            settings.putIfAbsent(Dstack.PROJECT, DEFAULT_PROJECT);
        } else if (dataDirectory != null) {
            settings.put(Dstack.MODE, "embedded");
            settings.put("dstack.server-dir", dataDirectory.toAbsolutePath().toString());
            settings.putIfAbsent(Dstack.PROJECT, DEFAULT_PROJECT);
        } else {
            settings.put(Dstack.MODE, "remote");
            if (configFile != null) {
                settings.put(Dstack.CONFIG_FILE, configFile.toAbsolutePath().toString());
            }
        }
        try {
            return Dstack.connect(settings, ConnectionSettings.class.getClassLoader());
        } catch (DstackException e) {
            throw new DstackBuildException("dstack: " + e.getMessage(), e);
        }
    }

    /** Where the work goes, for the build's output. */
    public String describe() {
        if (url != null) {
            return url;
        }
        if (dataDirectory != null) {
            return "an embedded engine on " + dataDirectory;
        }
        return configFile != null ? configFile.toString() : "~/.dstack/config.yml";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
