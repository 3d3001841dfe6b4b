package ai.dstack.core;

import ai.dstack.client.DstackClient;
import ai.dstack.client.spi.DstackClientProvider;
import java.util.Map;

/**
 * The {@code embedded} mode of {@link ai.dstack.client.Dstack#connect(Map)}: an engine in this JVM, built from
 * {@code dstack.server-dir}, {@code dstack.database-url}, {@code dstack.local-fleet}, {@code dstack.local-blocks} and
 * {@code dstack.admin-token} (each optional, with the engine's defaults), acting as the user of {@code dstack.token}
 * (default the admin) with {@code dstack.project} (default {@code main}) as the default project. Closing the client
 * closes the engine.
 */
public final class EmbeddedClientProvider implements DstackClientProvider {
    public static final String TYPE = "embedded";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public DstackClient create(Map<String, String> settings) {
        return EmbeddedDstackClient.fromSettings(settings);
    }
}
