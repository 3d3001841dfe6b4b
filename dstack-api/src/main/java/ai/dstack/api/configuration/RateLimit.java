package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/** A service rate limit: at most {@code rps} requests per second (plus {@code burst}) per partition of {@code key}. */
public record RateLimit(String prefix, Key key, double rps, long burst) {
    public RateLimit {
        Objects.requireNonNull(prefix, "prefix is null");
        Objects.requireNonNull(key, "key is null");
    }

    /** How requests are partitioned: by client IP address or by the value of a header. */
    public sealed interface Key {
        @JsonProperty("type")
        String type();
    }

    /** Partition by client IP address (dstack's default). */
    public record ByIpAddress() implements Key {
        @Override
        public String type() {
            return "ip_address";
        }
    }

    /** Partition by the value of {@code header}. */
    @JsonPropertyOrder({"type", "header"})
    public record ByHeader(String header) implements Key {
        public ByHeader {
            Objects.requireNonNull(header, "header is null");
        }

        @Override
        public String type() {
            return "header";
        }
    }
}
