package ai.dstack.backend.azure.testing;

import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProviders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds {@code azure} backends on the fake ARM's subscriptions, through the provider the engine would find. */
public final class AzureTestBackends {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AzureTestBackends() {}

    /**
     * {@code {"type":"azure","tenant_id":..,"subscription_id":..,"regions":["eastus"], ...extra}} with the app's
     * client secret.
     */
    public static BackendConfiguration configuration(FakeArmSubscription subscription, String dstackProject,
            String extraJson) {
        FakeArm.shared();
        try {
            ObjectNode config = JSON.createObjectNode().put("type", "azure").put("tenant_id", subscription.tenantId())
                    .put("subscription_id", subscription.id());
            config.putArray("regions").add("eastus");
            if (extraJson != null) {
                config.setAll((ObjectNode) JSON.readTree(extraJson));
            }
            ObjectNode creds = JSON.createObjectNode().put("type", "client").put("client_id", subscription.clientId())
                    .put("client_secret", subscription.clientSecret());
            return new BackendConfiguration(dstackProject, config, creds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Backend backend(FakeArmSubscription subscription, String dstackProject, String extraJson) {
        return BackendProviders.find("azure").orElseThrow().create(configuration(subscription, dstackProject,
                extraJson));
    }
}
