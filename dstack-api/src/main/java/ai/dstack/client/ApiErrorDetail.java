package ai.dstack.client;

import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a dstack error reply's {@code detail}.
 *
 * @param message the server's text, e.g. {@code Run not found} or {@code Field required}
 * @param code dstack's code string ({@code resource_not_exists}) for a 400, pydantic's error type
 *     ({@code missing}) for a 422, or null
 * @param fields the path of the offending field, e.g. {@code [run_spec, configuration, commands]}; empty if none
 */
public record ApiErrorDetail(String message, String code, List<String> fields) {
    public ApiErrorDetail {
        Objects.requireNonNull(message, "message is null");
        fields = Values.list(fields);
    }

    /** {@code a.b.c: message}, or the message alone without fields. */
    @Override
    public String toString() {
        return fields.isEmpty() ? message : String.join(".", fields) + ": " + message;
    }
}
