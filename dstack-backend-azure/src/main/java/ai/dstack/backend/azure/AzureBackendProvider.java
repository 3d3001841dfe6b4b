package ai.dstack.backend.azure;

import ai.dstack.backend.azure.internal.AzureBackend;
import ai.dstack.backend.azure.internal.AzureSettings;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProvider;

/** {@code type: azure}: dstack's Azure backend fields, virtual machines through the Azure SDK's ARM clients. */
public final class AzureBackendProvider implements BackendProvider {
    public static final String TYPE = "azure";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(BackendConfiguration configuration) {
        return new AzureBackend(AzureSettings.read(configuration));
    }
}
