package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend configurations through dstack's routes, validated like config.yml and kept per project. */
class BackendsApiTest {
    private static final String P = "/api/project/clouds/backends/";
    private static final String AWS = """
            {"type":"aws","regions":["us-east-1"],"creds":{"type":"access_key","access_key":"AK","secret_key":"SK"}}""";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static Map<Role, String> tokens;

    @BeforeAll
    static void start() {
        // creating an aws backend checks its keys with EC2: here, the fake one, where AK is an account
        ai.dstack.backend.aws.testing.FakeEc2.shared().account("AK");
        // creds {type: default} take the SDK's chain, whose first link is these properties
        System.setProperty("aws.accessKeyId", "AK");
        System.setProperty("aws.secretAccessKey", "SK");
        api = ApiServer.start(dir);
        tokens = Role.setUp(api, "clouds");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void listTypesNamesTheConfigurableTypes() {
        ApiServer.Reply types = api.post("/api/backends/list_types", null, (String) null);

        assertThat(types.status()).isEqualTo(200);
        assertThat(types.body().toString()).contains("\"aws\"", "\"gcp\"", "\"azure\"", "\"lambda\"");
    }

    @Test
    void createReadUpdateAndDeleteABackend() {
        String admin = tokens.get(Role.PROJECT_ADMIN);

        ApiServer.Reply created = api.post(P + "create", admin, AWS);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.body()).isEqualTo(ApiServer.json(AWS));
        assertThat(api.post(P + "create", admin, AWS).body().toString()).contains("resource_exists");

        ApiServer.Reply info = api.post(P + "aws/config_info", admin, (String) null);
        assertThat(info.body()).isEqualTo(ApiServer.json(AWS));
        JsonNode project = api.post("/api/projects/clouds/get", admin, (String) null).body();
        assertThat(project.get("backends").toString())
                .isEqualTo("[{\"name\":\"aws\",\"config\":{\"type\":\"aws\",\"regions\":[\"us-east-1\"]}}]");

        ApiServer.Reply updated = api.post(P + "update_yaml", admin, ApiServer.object().put("config_yaml", """
                type: aws
                regions: [eu-west-1, eu-north-1]
                creds: {type: default}
                """));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        ApiServer.Reply yaml = api.post(P + "aws/get_yaml", admin, (String) null);
        assertThat(yaml.body().get("name").asText()).isEqualTo("aws");
        assertThat(yaml.body().get("config_yaml").asText()).contains("- eu-west-1").contains("type: default");

        assertThat(api.post(P + "delete", admin, "{\"backends_names\":[\"aws\"]}").status()).isEqualTo(200);
        assertThat(api.post(P + "aws/config_info", admin, (String) null).body().toString())
                .contains("resource_not_exists");
    }

    @Test
    void awsKeysTheCloudRefusesAreAClearErrorAndNothingIsStored() {
        String admin = tokens.get(Role.PROJECT_ADMIN);
        ApiServer.Reply refused = api.post(P + "create", admin, AWS.replace("\"AK\"", "\"AKIAWRONG\""));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().toString()).contains("invalid_credentials", "Invalid credentials", "HTTP 401");
        assertThat(api.post(P + "aws/config_info", admin, (String) null).body().toString())
                .contains("resource_not_exists");
    }

    @Test
    void invalidConfigurationsNameTheField() {
        String admin = tokens.get(Role.PROJECT_ADMIN);

        ApiServer.Reply missing = api.post(P + "create", admin, "{\"type\":\"gcp\",\"creds\":{\"type\":\"default\"}}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().toString()).contains("project_id: Field required");

        ApiServer.Reply yaml = api.post(P + "create_yaml", admin, ApiServer.object().put("config_yaml", """
                type: azure
                tenant_id: t
                subscription_id: s
                creds:
                  type: client
                  client_id: c
                """));
        assertThat(yaml.status()).isEqualTo(400);
        assertThat(yaml.body().toString()).contains("config_yaml:5:3: creds.client_secret: Field required");

        ApiServer.Reply unknown = api.post(P + "create", admin, "{\"type\":\"nowhere\",\"creds\":{}}");
        assertThat(unknown.body().toString()).contains("Input tag 'nowhere'");
    }

    @Test
    void onlyProjectAdminsManageBackends() {
        assertThat(api.post(P + "create", tokens.get(Role.MANAGER), AWS).status()).isEqualTo(403);
        assertThat(api.post(P + "aws/config_info", tokens.get(Role.USER), (String) null).status()).isEqualTo(403);
    }
}
