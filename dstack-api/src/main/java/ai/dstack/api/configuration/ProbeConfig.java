package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An HTTP health probe of a service replica. Null fields take dstack's defaults: url {@code /}, method get,
 * timeout 10 s, interval 15 s, ready after 1 success, until-ready false.
 */
@JsonPropertyOrder({"type"})
public record ProbeConfig(
        String url,
        ProbeMethod method,
        List<HttpHeader> headers,
        String body,
        Long timeout,
        Long interval,
        Integer readyAfter,
        Boolean untilReady) {
    public ProbeConfig {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** A GET probe of {@code url} with every other setting at dstack's defaults. */
    public static ProbeConfig http(String url) {
        return new ProbeConfig(url, null, null, null, null, null, null, null);
    }

    @JsonProperty("type")
    public String type() {
        return "http";
    }
}
