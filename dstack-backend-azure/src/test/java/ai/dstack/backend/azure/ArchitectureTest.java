package ai.dstack.backend.azure;

import ai.dstack.testing.BackendArchitectureContract;

/** The azure backend sees the engine only through the Backend SPI and the public model, and no other backend. */
class ArchitectureTest extends BackendArchitectureContract {
    ArchitectureTest() {
        super(AzureBackendProvider.class);
    }
}
