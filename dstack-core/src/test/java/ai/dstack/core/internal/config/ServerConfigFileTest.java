package ai.dstack.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ConfigurationException;
import ai.dstack.core.internal.crypto.AesKey;
import ai.dstack.core.internal.crypto.IdentityKey;
import ai.dstack.core.internal.context.DefaultPermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigFileTest {
    private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @TempDir
    Path dir;

    @Test
    void readsProjectsBackendsKeysAndPermissions() throws IOException {
        Files.writeString(dir.resolve("sa.json"), "{\"type\": \"service_account\"}");
        ServerConfig config = ServerConfigFile.parse("""
                projects:
                - name: main
                  backends:
                  - type: aws
                    regions: [us-east-1]
                    creds:
                      type: access_key
                      access_key: AKIAEXAMPLE
                      secret_key: wJalrXUtnFEMI
                  - type: gcp
                    project_id: my-project
                    creds:
                      type: service_account
                      filename: sa.json
                  - type: lambda
                    creds:
                      api_key: lam-key
                  - type: kubernetes
                    kubeconfig: {filename: ~/.kube/config}
                - name: research
                encryption:
                  keys:
                  - type: aes
                    name: key1
                    secret: %s
                  - type: identity
                default_permissions:
                  allow_non_admins_create_projects: false
                """.formatted(SECRET), "config.yml", dir);

        assertThat(config.projects()).extracting(ServerConfig.Project::name).containsExactly("main", "research");
        List<BackendConfig> backends = config.projects().get(0).backends();
        assertThat(backends).extracting(BackendConfig::type).containsExactly("aws", "gcp", "lambda");
        assertThat(backends.get(0).config().toString()).isEqualTo("{\"type\":\"aws\",\"regions\":[\"us-east-1\"]}");
        assertThat(backends.get(0).creds().toString())
                .isEqualTo("{\"type\":\"access_key\",\"access_key\":\"AKIAEXAMPLE\",\"secret_key\":\"wJalrXUtnFEMI\"}");
        assertThat(backends.get(1).creds().get("data").asText()).isEqualTo("{\"type\": \"service_account\"}");
        assertThat(backends.get(2).creds().toString()).isEqualTo("{\"type\":\"api_key\",\"api_key\":\"lam-key\"}");
        assertThat(config.projects().get(0).skippedTypes()).containsExactly("kubernetes");
        assertThat(config.warnings()).anyMatch(w -> w.contains("kubernetes not available"));
        assertThat(config.projects().get(1).backends()).isEmpty();
        assertThat(config.encryptionKeys()).hasSize(2);
        assertThat(config.encryptionKeys().get(0)).isInstanceOf(AesKey.class);
        assertThat(config.encryptionKeys().get(1)).isInstanceOf(IdentityKey.class);
        assertThat(config.defaultPermissions()).isEqualTo(new DefaultPermissions(false, true, false));
    }

    @Test
    void errorsNameTheFileTheLineAndTheField() {
        assertThatThrownBy(() -> ServerConfigFile.parse("""
                projects:
                - name: main
                  backends:
                  - type: aws
                    regions: us-east-1
                    creds:
                      type: access_key
                      access_key: AKIA
                  - type: azure
                    tenant_id: t
                    subscription_id: s
                    creds: {type: client, client_id: c, client_secret: x, colour: red}
                encryption:
                  keys:
                  - type: aes
                    name: key-1
                    secret: %s
                  - type: aes
                    name: key2
                    secret: c2hvcnQ=
                default_permissions:
                  allow_non_admins_create_project: false
                """.formatted(SECRET), "/srv/config.yml", dir))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.errors())
                        .extracting(Object::toString)
                        .containsExactly(
                                "/srv/config.yml:5:14: projects.0.backends.0.regions: Input should be a valid list",
                                "/srv/config.yml:7:7: projects.0.backends.0.creds.secret_key: Field required",
                                "/srv/config.yml:12:59: projects.0.backends.1.creds.colour: Extra inputs are not permitted",
                                "/srv/config.yml:16:11: encryption.keys.0.name: Value error, Key name must be alphanumeric",
                                "/srv/config.yml:20:13: encryption.keys.1.secret: Value error, AES key must be 32 bytes. Got 5 bytes",
                                "/srv/config.yml:22:3: default_permissions.allow_non_admins_create_project: Extra inputs "
                                        + "are not permitted (did you mean 'allow_non_admins_create_projects'?)"));
    }

    @Test
    void aMissingCredsFileAndAnUnknownTypeAreReported() {
        assertThatThrownBy(() -> ServerConfigFile.parse("""
                projects:
                - name: main
                  backends:
                  - type: gcp
                    project_id: p
                    creds: {type: service_account, filename: nowhere.json}
                  - type: awz
                """, "config.yml", dir))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("config.yml:6:46: projects.0.backends.0.creds.filename: No such file nowhere.json")
                .hasMessageContaining("projects.0.backends.1.type: Input tag 'awz' found using 'type' does not match");
    }

    @Test
    void theDefaultFileIsWrittenWithCommentsAndReadsBack() throws IOException {
        Path file = dir.resolve("server").resolve("config.yml");

        ServerConfigFile.writeDefault(file, List.of());

        String text = Files.readString(file);
        assertThat(text).contains("# default_permissions:").contains("#   - type: aes")
                .contains("projects:\n- name: main\n  backends: []\nencryption:\n  keys: []\n");
        ServerConfig config = ServerConfigFile.load(file).orElseThrow();
        assertThat(config.projects()).extracting(ServerConfig.Project::name).containsExactly("main");
        assertThat(config.encryptionKeys()).isEmpty();
        assertThat(ServerConfigFile.load(dir.resolve("absent.yml"))).isEmpty();
    }
}
