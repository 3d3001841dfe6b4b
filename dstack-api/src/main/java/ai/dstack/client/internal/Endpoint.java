package ai.dstack.client.internal;

import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * One API call target: its path segments under the server's base URL, and whether calling it twice is harmless
 * (which decides whether a broken connection may be retried after the request was sent).
 */
public record Endpoint(List<String> segments, boolean idempotent) {
    public Endpoint {
        segments = List.copyOf(segments);
    }

    /** A call that only reads: safe to repeat. */
    public static Endpoint read(String... segments) {
        return new Endpoint(List.of(segments), true);
    }

    /** A call that changes something: repeated only when the server cannot have seen it. */
    public static Endpoint write(String... segments) {
        return new Endpoint(List.of(segments), false);
    }

    /** {@code api/project/<p>/<segments>}: the project router prefix, with the project name as one path segment. */
    public static Endpoint project(String project, boolean idempotent, String... segments) {
        Objects.requireNonNull(project, "project is null");
        String[] all = new String[segments.length + 3];
        all[0] = "api";
        all[1] = "project";
        all[2] = project;
        System.arraycopy(segments, 0, all, 3, segments.length);
        return new Endpoint(List.of(all), idempotent);
    }

    /** The absolute URL under {@code base}; every segment is percent-encoded on its own. */
    public HttpUrl url(HttpUrl base) {
        HttpUrl.Builder url = base.newBuilder();
        for (String segment : segments) {
            url.addPathSegment(segment);
        }
        return url.build();
    }

    /** {@code /api/...} for messages and logs. */
    public String path() {
        return "/" + String.join("/", segments);
    }
}
