package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.user.GlobalRole;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.project.BackendInfo;
import ai.dstack.client.NewUser;
import ai.dstack.core.DatabaseEncryption;
import ai.dstack.core.app.Caller;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.yml at start-up: written when absent, applied on every start, rejected with file, line and field. */
class ServerStartupTest {
    @TempDir
    Path dir;

    private ServerSettings settings() {
        return ServerSettings.fromEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_LOCAL_FLEET", "false")::get, dir);
    }

    private DstackEngine start(ServerStartup startup) {
        DstackEngine engine = startup.engine().localFleet(false).build();
        startup.applyConfig(engine);
        return engine;
    }

    @Test
    void theLocalFleetIsSizedByTheSetting() {
        ServerSettings settings = ServerSettings.fromEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_LOCAL_FLEET_BLOCKS", "3")::get, dir);
        ServerStartup startup = ServerStartup.prepare(settings);
        try (DstackEngine engine = startup.engine().build()) {
            assertThat(engine.getFleet(engine.defaultProject(), "local").instances()).singleElement()
                    .satisfies(instance -> assertThat(instance.totalBlocks()).isEqualTo(3));
        }
    }

    @Test
    void writesTheDefaultFileWhenAbsentAndAppliesItOnEveryStart() throws IOException {
        ServerSettings settings = settings();
        try (DstackEngine engine = start(ServerStartup.prepare(settings))) {
            assertThat(engine.defaultProject()).isEqualTo("main");
        }
        assertThat(Files.readString(settings.configFile())).contains("- name: main").contains("# default_permissions:");

        String secret = DatabaseEncryption.newAesSecret();
        ai.dstack.backend.aws.testing.FakeEc2.shared().account("AK"); // the aws backend's keys are checked with EC2
        Files.writeString(settings.configFile(), """
                projects:
                - name: main
                  backends:
                  - type: lambda
                    creds: {type: api_key, api_key: lam-123}
                - name: research
                  backends:
                  - type: aws
                    creds: {type: access_key, access_key: AK, secret_key: SK}
                encryption:
                  keys:
                  - {type: aes, name: key1, secret: "%s"}
                default_permissions:
                  allow_non_admins_create_projects: false
                """.formatted(secret));
        try (DstackEngine engine = start(ServerStartup.prepare(settings))) {
            Caller admin = engine.app().authenticate(engine.adminToken());
            JsonNode aws = engine.app().backendConfig(admin, "research", "aws");
            assertThat(aws.get("creds").get("secret_key").asText()).isEqualTo("SK");
            assertThat(engine.getProject("main").backends()).extracting(BackendInfo::name).containsExactly("lambda");
            assertThat(engine.createUser(NewUser.of("bob", GlobalRole.USER)).permissions().canCreateProjects()).isFalse();
        }

        // Backends a listed project no longer lists are deleted; unlisted projects are left alone.
        Files.writeString(settings.configFile(), """
                projects:
                - name: main
                  backends: []
                encryption:
                  keys:
                  - {type: aes, name: key1, secret: "%s"}
                """.formatted(secret));
        try (DstackEngine engine = start(ServerStartup.prepare(settings))) {
            assertThat(engine.getProject("main").backends()).isEmpty();
            assertThat(engine.getProject("research").backends()).hasSize(1);
            assertThat(engine.listUsers().stream().filter(u -> u.username().equals("bob")).findFirst().orElseThrow()
                    .permissions().canCreateProjects()).as("dstack's default again").isTrue();
        }
    }

    @Test
    void anInvalidFileStopsStartUpNamingFileLineAndField() throws IOException {
        ServerSettings settings = settings();
        Files.createDirectories(settings.serverDirectory());
        Files.writeString(settings.configFile(), """
                projects:
                - name: main
                encryption:
                  keys:
                  - type: aes
                    name: key1
                    secret: too-short
                """);

        assertThatThrownBy(() -> ServerStartup.prepare(settings))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid " + settings.configFile() + ":\n" + settings.configFile()
                        + ":7:13: encryption.keys.0.secret: Value error, Failed to decode secret from base64");
    }
}
