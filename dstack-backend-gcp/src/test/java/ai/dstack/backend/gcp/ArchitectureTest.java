package ai.dstack.backend.gcp;

import ai.dstack.testing.BackendArchitectureContract;

/** The gcp backend sees the engine only through the Backend SPI and the public model, and no other backend. */
class ArchitectureTest extends BackendArchitectureContract {
    ArchitectureTest() {
        super(GcpBackendProvider.class);
    }
}
