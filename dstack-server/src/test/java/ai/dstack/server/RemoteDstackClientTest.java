package ai.dstack.server;

import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.core.DstackEngine;
import ai.dstack.testing.DstackClientContract;
import java.nio.file.Path;
import java.util.Map;

/** The contract over real HTTP: {@code dstack.mode=remote} against a {@link DstackServer} on a loopback port. */
class RemoteDstackClientTest extends DstackClientContract {
    private DstackServer server;

    @Override
    protected DstackClient start(Path directory, String adminToken) {
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(directory).localBlocks(8).adminToken(adminToken))
                .port(0).build().start();
        return as(adminToken);
    }

    @Override
    protected DstackClient as(String token) {
        return Dstack.connect(Map.of(Dstack.MODE, "remote", Dstack.URL, server.url(), Dstack.TOKEN, token,
                Dstack.PROJECT, "main"));
    }

    @Override
    protected void stop() {
        server.close();
    }
}
