package ai.dstack.backend.aws.testing;

import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProviders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds {@code aws} backends on the fake EC2's accounts, through the provider the engine would find. */
public final class AwsTestBackends {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsTestBackends() {}

    /** The backend config of an account: {@code {"type":"aws","regions":["us-east-1"], ...extra}}. */
    public static BackendConfiguration configuration(FakeEc2Account account, String project, String extraJson) {
        try {
            ObjectNode config = (ObjectNode) JSON.readTree("{\"type\":\"aws\",\"regions\":[\"us-east-1\"]}");
            if (extraJson != null) {
                config.setAll((ObjectNode) JSON.readTree(extraJson));
            }
            ObjectNode creds = JSON.createObjectNode().put("type", "access_key")
                    .put("access_key", account.accessKey()).put("secret_key", account.secretKey());
            return new BackendConfiguration(project, config, creds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Backend backend(FakeEc2Account account, String project, String extraJson) {
        FakeEc2.shared();
        return BackendProviders.find("aws").orElseThrow().create(configuration(account, project, extraJson));
    }
}
