package ai.dstack.api.configuration;

/** A port to expose: {@code 8080}, {@code 80:8080}, or {@code *:8080} (any local port: {@code localPort} null). */
public record PortMapping(Integer localPort, int containerPort) {
    public static PortMapping same(int port) {
        return new PortMapping(port, port);
    }
}
