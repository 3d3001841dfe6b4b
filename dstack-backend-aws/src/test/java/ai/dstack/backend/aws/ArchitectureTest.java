package ai.dstack.backend.aws;

import ai.dstack.testing.BackendArchitectureContract;

/** The aws backend sees the engine only through the Backend SPI and the public model, and no other backend. */
class ArchitectureTest extends BackendArchitectureContract {
    ArchitectureTest() {
        super(AwsBackendProvider.class);
    }
}
