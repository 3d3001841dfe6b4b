package ai.dstack.engine;

import ai.dstack.client.DstackClient;
import ai.dstack.core.DstackEngine;
import ai.dstack.testing.DstackClientContract;
import java.nio.file.Path;

/** The contract in process: the {@link DstackEngine} itself acts as the admin, {@code client(token)} as other users. */
class EmbeddedDstackClientTest extends DstackClientContract {
    private DstackEngine engine;

    @Override
    protected DstackClient start(Path directory, String adminToken) {
        engine = DstackEngine.builder().serverDirectory(directory).localBlocks(8).adminToken(adminToken).build();
        return engine;
    }

    @Override
    protected DstackClient as(String token) {
        return engine.client(token);
    }

    @Override
    protected void stop() {
        engine.close();
    }
}
