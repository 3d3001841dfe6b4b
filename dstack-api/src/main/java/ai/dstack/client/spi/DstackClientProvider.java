package ai.dstack.client.spi;

import ai.dstack.client.DstackClient;
import java.util.Map;

/**
 * Makes one kind of {@link DstackClient} available to {@link ai.dstack.client.Dstack#connect(Map)}, keyed by
 * {@link #type()} = the value of {@code dstack.mode}. dstack-api provides {@code remote}; the engine module provides
 * {@code embedded}. Register an implementation in
 * {@code META-INF/services/ai.dstack.client.spi.DstackClientProvider}.
 *
 * <p>Implementations need a public no-argument constructor that does nothing expensive; the work happens in
 * {@link #create(Map)}. They must be safe for concurrent use. Each {@code create} returns a new client that the
 * caller owns and closes.
 *
 * <pre>{@code
 * public final class MyProvider implements DstackClientProvider {
 *     public String type() { return "mine"; }
 *     public DstackClient create(Map<String, String> settings) { return new MyClient(settings.get("dstack.url")); }
 * }
 * // then: Dstack.connect(Map.of("dstack.mode", "mine", "dstack.url", "..."))
 * }</pre>
 */
public interface DstackClientProvider {
    /** The mode this provider serves, in lower case, e.g. {@code embedded} or {@code remote}. */
    String type();

    /**
     * A new client; the caller closes it.
     *
     * @param settings every setting given to {@code Dstack.connect}, {@code dstack.mode} included; keys a provider
     *     does not know are ignored
     * @throws ai.dstack.api.DstackException with a message naming the setting when the settings do not work
     */
    DstackClient create(Map<String, String> settings);
}
