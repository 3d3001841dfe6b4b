package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.HttpHeader;
import ai.dstack.api.run.ProbeSpec;
import java.util.List;

/** The probe dstack gives a service that serves an OpenAI-compatible chat model and sets no probes itself. */
final class OpenAiProbe {
    private OpenAiProbe() {}

    static ProbeSpec of(String modelName, String prefix) {
        String trimmed = prefix.replaceAll("/+$", "");
        return new ProbeSpec("http", trimmed + "/chat/completions", "post",
                List.of(new HttpHeader("Content-Type", "application/json")),
                body(modelName), ConfigurationTree.OPENAI_MODEL_PROBE_TIMEOUT, ConfigurationTree.DEFAULT_PROBE_INTERVAL,
                ConfigurationTree.DEFAULT_PROBE_READY_AFTER, false);
    }

    /** The request body as Python's {@code json.dumps} writes it, spaces after separators included. */
    static String body(String modelName) {
        return "{\"model\": " + pythonJsonString(modelName)
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1}";
    }

    /** A JSON string with non-ASCII escaped as {@code \\uXXXX}, as {@code json.dumps} does by default. */
    private static String pythonJsonString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
