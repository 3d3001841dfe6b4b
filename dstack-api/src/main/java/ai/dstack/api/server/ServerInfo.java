package ai.dstack.api.server;

/**
 * The reply of {@code server/get_info}.
 *
 * @param serverVersion e.g. {@code 0.21.2}; null for development builds
 */
public record ServerInfo(String serverVersion) {
}
