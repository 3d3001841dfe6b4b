package ai.dstack.client;

import ai.dstack.client.spi.DstackClientProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the engine module's {@code embedded} provider (registered in this module's test
 * {@code META-INF/services}): it records the settings it is given and serves the client from a server URL in
 * {@code test.url}, so a test can see that {@code dstack.mode=embedded} reached it.
 */
public final class RecordingEmbeddedProvider implements DstackClientProvider {
    static final List<Map<String, String>> CREATED = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return "embedded";
    }

    @Override
    public DstackClient create(Map<String, String> settings) {
        CREATED.add(settings);
        return RemoteDstackClient.builder().url(settings.get("test.url")).token("embedded-token")
                .defaultProject(settings.get(Dstack.PROJECT)).build();
    }
}
