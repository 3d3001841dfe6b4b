package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a client's server, token and project come from, by dstack's rules ({@code core/services/api_client.py}
 * and the CLI's {@code --project} default):
 * <ol>
 *   <li>{@code DSTACK_SERVER_URL} and {@code DSTACK_TOKEN} both set: they win; the project is the one named, else
 *       {@code DSTACK_PROJECT}, and one of them is required;</li>
 *   <li>otherwise the project named (else {@code DSTACK_PROJECT}, else the default) in the config file, with
 *       {@code DSTACK_TOKEN} replacing its token when set.</li>
 * </ol>
 * {@code DSTACK_CLIENT_API_VERSION} replaces the {@code X-API-VERSION} sent, as in dstack's client.
 */
public final class ConfigResolver {
    public static final String SERVER_URL_ENV = "DSTACK_SERVER_URL";
    public static final String TOKEN_ENV = "DSTACK_TOKEN";
    public static final String PROJECT_ENV = "DSTACK_PROJECT";
    public static final String API_VERSION_ENV = "DSTACK_CLIENT_API_VERSION";

    private ConfigResolver() {}

    /** What a remote client needs. {@code apiVersion} is null unless the environment sets one. */
    public record Settings(String url, String token, String project, String apiVersion) {
        @Override
        public String toString() {
            return "Settings[url=" + url + ", token=***, project=" + project + ", apiVersion=" + apiVersion + "]";
        }
    }

    /**
     * @param projectName the project asked for, or null
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming the file or the variables when no
     *     project can be found
     */
    public static Settings resolve(String projectName, Map<String, String> env, Path configFile) {
        String project = projectName != null ? projectName : blankToNull(env.get(PROJECT_ENV));
        String url = blankToNull(env.get(SERVER_URL_ENV));
        String token = blankToNull(env.get(TOKEN_ENV));
        String apiVersion = blankToNull(env.get(API_VERSION_ENV));
        if (url != null && token != null) {
            if (project == null) {
                throw invalid(SERVER_URL_ENV + " and " + TOKEN_ENV + " are set, but the project is not specified. Set "
                        + PROJECT_ENV + " or name the project.");
            }
            return new Settings(url, token, project, apiVersion);
        }
        if (!Files.exists(configFile)) {
            throw invalid("No dstack project is configured: " + configFile + " does not exist. Add a project with "
                    + "`dstack project add --name NAME --url URL --token TOKEN` (or start `dstack server`), or set "
                    + SERVER_URL_ENV + ", " + TOKEN_ENV + " and " + PROJECT_ENV + ".");
        }
        DstackConfig config = DstackConfig.load(configFile);
        ProjectConfig entry = (project == null ? config.defaultProject() : config.project(project)).orElseThrow(() -> {
            if (url != null) {
                return invalid(SERVER_URL_ENV + " is set, but " + TOKEN_ENV + " is not set");
            }
            String known = config.projects().isEmpty() ? "none"
                    : config.projects().stream().map(ProjectConfig::name).collect(Collectors.joining(", "));
            return invalid(project == null
                    ? "No default project in " + configFile + " (configured: " + known + "). Name a project, set "
                            + PROJECT_ENV + ", or mark one `default: true`."
                    : "Project " + project + " is not configured in " + configFile + " (configured: " + known + ")");
        });
        return new Settings(entry.url(), token != null ? token : entry.token(), entry.name(), apiVersion);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static DstackException invalid(String message) {
        return new DstackException(ErrorCode.INVALID_REQUEST, message);
    }
}
