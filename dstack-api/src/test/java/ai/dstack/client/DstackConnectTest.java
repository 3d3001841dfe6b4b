package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link Dstack}: an application switches between remote and embedded by its settings alone. */
class DstackConnectTest {
    private static final String SERVER_INFO = "{\"server_version\":\"0.21.2\"}";

    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    @TempDir
    Path home;

    @Test
    void remoteModeTalksToTheServerInTheSettings() {
        server.reply(SERVER_INFO);
        Map<String, String> settings = Map.of(Dstack.MODE, "remote", Dstack.URL, server.url(),
                Dstack.TOKEN, FakeDstackServer.TOKEN, Dstack.PROJECT, "main");

        try (DstackClient client = Dstack.connect(settings)) {
            assertThat(client).isInstanceOf(RemoteDstackClient.class);
            assertThat(client.project().name()).isEqualTo("main");
            assertThat(client.serverInfo().serverVersion()).isEqualTo("0.21.2");
        }
        server.takePost("/api/server/get_info");
    }

    @Test
    void remoteIsTheDefaultModeAndReadsTheClientConfigFile() {
        assumeThat(System.getenv("DSTACK_SERVER_URL")).as("DSTACK_SERVER_URL would override the file").isNull();
        assumeThat(System.getenv("DSTACK_TOKEN")).as("DSTACK_TOKEN would override the file").isNull();
        Path file = home.resolve(".dstack/config.yml");
        DstackConfig.empty(file).withProject("main", server.url(), FakeDstackServer.TOKEN, true).save();
        server.reply(SERVER_INFO);

        try (DstackClient client = Dstack.connect(Map.of(Dstack.CONFIG_FILE, file.toString()))) {
            assertThat(client.defaultProjectName()).hasValue("main");
            client.serverInfo();
        }
        server.takePost("/api/server/get_info");
    }

    @Test
    void embeddedModeIsServedByTheProviderOnTheClassPath() {
        server.reply(SERVER_INFO);
        Map<String, String> settings = Map.of(Dstack.MODE, "Embedded", "test.url", server.url(),
                "dstack.server-dir", home.toString(), Dstack.PROJECT, "main");

        try (DstackClient client = Dstack.connect(settings)) {
            assertThat(client.defaultProjectName()).hasValue("main");
            client.serverInfo();
        }
        assertThat(RecordingEmbeddedProvider.CREATED).contains(settings);
        assertThat(server.take().getHeaders().get("Authorization")).isEqualTo("Bearer embedded-token");
    }

    @Test
    void propertiesSwitchTheModeLikeAMap() {
        Properties settings = new Properties();
        settings.setProperty(Dstack.MODE, "embedded");
        settings.setProperty("test.url", server.url());
        settings.setProperty("marker", "from-properties");

        Dstack.connect(settings).close();

        assertThat(RecordingEmbeddedProvider.CREATED).anySatisfy(s -> assertThat(s).containsEntry("marker", "from-properties"));
    }

    @Test
    void anUnknownModeListsTheAvailableOnes() {
        DstackException e = catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(Dstack.MODE, "cloud")));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e).hasMessage("Unknown dstack.mode 'cloud'. Available: embedded, remote.");
        assertThat(Dstack.availableModes()).containsExactly("embedded", "remote");
    }

    @Test
    void remoteSettingsThatDoNotWorkAreNamed() {
        assertThat(catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(Dstack.URL, server.url()))))
                .hasMessage("dstack.url is set, but dstack.token is not");
        assertThat(catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(Dstack.URL, server.url(),
                Dstack.TOKEN, "t", Dstack.READ_TIMEOUT, "soon"))))
                .hasMessage("dstack.read-timeout must be a duration such as 500ms, 30s, 2m or PT30S, not 'soon'");
        assertThat(catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(Dstack.URL, server.url(),
                Dstack.TOKEN, "t", Dstack.MAX_ATTEMPTS, "0"))))
                .hasMessage("dstack.max-attempts must be a whole number of at least 1, not '0'");
        assertThat(catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(Dstack.URL, "localhost:3000",
                Dstack.TOKEN, "t"))))
                .hasMessage("Invalid dstack server URL 'localhost:3000': expected http://host:port or https://host");
    }

    @Test
    void timeoutsFromTheSettingsApply() {
        server.enqueue(new MockResponse.Builder().body(SERVER_INFO).onResponseStart(SocketEffect.Stall.INSTANCE).build());
        Map<String, String> settings = Map.of(Dstack.URL, server.url(), Dstack.TOKEN, "t", Dstack.READ_TIMEOUT, "200ms",
                Dstack.CONNECT_TIMEOUT, "PT5S", Dstack.CALL_TIMEOUT, "1m", Dstack.MAX_ATTEMPTS, "2", Dstack.RETRY_INTERVAL, "10ms");

        try (DstackClient client = Dstack.connect(settings)) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class, client::serverInfo);

            assertThat(e.getMessage()).endsWith("(read timeout 0.2s)");
        }
    }

    @Test
    void aClientWithoutDefaultProjectSaysSoWhenAskedForIt() {
        try (RemoteDstackClient client = Dstack.remote(server.url(), "t")) {
            DstackException e = catchThrowableOfType(DstackException.class, client::project);

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.getMessage()).startsWith("No default project");
            assertThat(client.project("main").name()).isEqualTo("main");
        }
    }
}
