package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.ConfigResolver;
import ai.dstack.client.ConfigResolver.Settings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a client's server, token and project come from: dstack's environment variables and config file rules. */
class ConfigResolverTest {
    @TempDir
    Path home;

    private Path file;

    @BeforeEach
    void configureTwoProjects() {
        file = home.resolve(".dstack/config.yml");
        DstackConfig.empty(file)
                .withProject("main", "http://127.0.0.1:3000", "main-token", true)
                .withProject("gpu", "https://sky.dstack.ai", "gpu-token", false)
                .save();
    }

    @Test
    void theDefaultProjectIsUsedWhenNoneIsNamed() {
        assertThat(ConfigResolver.resolve(null, Map.of(), file))
                .isEqualTo(new Settings("http://127.0.0.1:3000", "main-token", "main", null));
    }

    @Test
    void aNamedProjectOrDstackProjectPicksThatEntry() {
        assertThat(ConfigResolver.resolve("gpu", Map.of(), file).url()).isEqualTo("https://sky.dstack.ai");
        assertThat(ConfigResolver.resolve(null, Map.of("DSTACK_PROJECT", "gpu"), file).token()).isEqualTo("gpu-token");
        assertThat(ConfigResolver.resolve("main", Map.of("DSTACK_PROJECT", "gpu"), file).project()).isEqualTo("main");
    }

    @Test
    void dstackTokenAloneReplacesTheConfiguredToken() {
        Settings settings = ConfigResolver.resolve(null, Map.of("DSTACK_TOKEN", "override"), file);

        assertThat(settings).isEqualTo(new Settings("http://127.0.0.1:3000", "override", "main", null));
    }

    @Test
    void serverUrlAndTokenFromTheEnvironmentWinOverTheFile() {
        Map<String, String> env = Map.of("DSTACK_SERVER_URL", "http://ci:3000", "DSTACK_TOKEN", "ci-token",
                "DSTACK_PROJECT", "ci", "DSTACK_CLIENT_API_VERSION", "0.20.0");

        assertThat(ConfigResolver.resolve(null, env, home.resolve("absent.yml")))
                .isEqualTo(new Settings("http://ci:3000", "ci-token", "ci", "0.20.0"));
    }

    @Test
    void serverUrlAndTokenWithoutAProjectAskForOne() {
        Map<String, String> env = Map.of("DSTACK_SERVER_URL", "http://ci:3000", "DSTACK_TOKEN", "ci-token");

        DstackException e = catchThrowableOfType(DstackException.class, () -> ConfigResolver.resolve(null, env, file));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e).hasMessage("DSTACK_SERVER_URL and DSTACK_TOKEN are set, but the project is not specified. "
                + "Set DSTACK_PROJECT or name the project.");
    }

    @Test
    void anUnconfiguredProjectIsNamedWithTheFileAndTheKnownOnes() {
        DstackException e = catchThrowableOfType(DstackException.class, () -> ConfigResolver.resolve("cpu", Map.of(), file));

        assertThat(e).hasMessage("Project cpu is not configured in " + file + " (configured: main, gpu)");
    }

    @Test
    void noDefaultProjectIsReported() throws java.io.IOException {
        java.nio.file.Files.writeString(file, """
                projects:
                - default: false
                  name: main
                  token: t
                  url: http://a
                """);

        DstackException e = catchThrowableOfType(DstackException.class, () -> ConfigResolver.resolve(null, Map.of(), file));

        assertThat(e).hasMessage("No default project in " + file + " (configured: main). Name a project, set DSTACK_PROJECT, "
                + "or mark one `default: true`.");
    }

    @Test
    void aMissingFileExplainsHowToConfigureAProject() {
        Path absent = home.resolve("nowhere/config.yml");

        DstackException e = catchThrowableOfType(DstackException.class, () -> ConfigResolver.resolve(null, Map.of(), absent));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).startsWith("No dstack project is configured: " + absent + " does not exist.")
                .contains("dstack project add");
    }

    @Test
    void aServerUrlWithoutTokenIsReportedWhenTheFileHasNoSuchProject() {
        DstackException e = catchThrowableOfType(DstackException.class,
                () -> ConfigResolver.resolve("cpu", Map.of("DSTACK_SERVER_URL", "http://ci:3000"), file));

        assertThat(e).hasMessage("DSTACK_SERVER_URL is set, but DSTACK_TOKEN is not set");
    }
}
