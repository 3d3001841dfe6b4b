package ai.dstack.cli.internal;

import ai.dstack.client.DstackProject;
import ai.dstack.client.RemoteDstackClient;
import ai.dstack.client.ConfigResolver;

/**
 * Opens the client a command talks to, by dstack's rules: {@code --project} (else {@code DSTACK_PROJECT}, else the
 * default) of {@code ~/.dstack/config.yml}, or {@code DSTACK_SERVER_URL} + {@code DSTACK_TOKEN}. Same rules as
 * {@link ai.dstack.client.Dstack#fromConfig(String)}, but reading the given environment instead of the process's.
 */
public final class Clients {
    private Clients() {}

    /** The project the command works in; closing {@code project.client()} is the caller's job. */
    public static DstackProject open(CliEnvironment environment, String projectName) {
        ConfigResolver.Settings settings = ConfigResolver.resolve(projectName, environment.env(), environment.configFile());
        RemoteDstackClient.Builder builder = RemoteDstackClient.builder()
                .url(settings.url())
                .token(settings.token())
                .defaultProject(settings.project());
        if (settings.apiVersion() != null) {
            builder.apiVersion(settings.apiVersion());
        }
        return builder.build().project();
    }
}
