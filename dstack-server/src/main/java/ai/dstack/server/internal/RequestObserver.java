package ai.dstack.server.internal;

/** Hears how long each API request took (the Prometheus endpoint's request latency). */
@FunctionalInterface
public interface RequestObserver {
    RequestObserver NONE = (method, path, status, nanos) -> {};

    /** @param path the route's path pattern (with {@code {project_name}}), so that labels stay few */
    void observe(String method, String path, int status, long nanos);
}
