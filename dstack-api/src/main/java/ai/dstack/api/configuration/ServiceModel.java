package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/** The chat model a service serves, published on dstack's OpenAI-compatible endpoint. */
public sealed interface ServiceModel {
    String name();

    @JsonProperty("type")
    default String type() {
        return "chat";
    }

    /** The serving format: {@code openai} or {@code tgi}. */
    @JsonProperty("format")
    String format();

    /** A model served with an OpenAI-compatible API under {@code prefix} (dstack's default {@code /v1}). */
    @JsonPropertyOrder({"type", "name", "format", "prefix"})
    record OpenAiChat(String name, String prefix) implements ServiceModel {
        public static final String DEFAULT_PREFIX = "/v1";

        public OpenAiChat {
            Objects.requireNonNull(name, "name is null");
            prefix = prefix == null ? DEFAULT_PREFIX : prefix;
        }

        @Override
        public String format() {
            return "openai";
        }
    }

    /** A model served by Hugging Face TGI; null template and token come from the model's Hub configuration. */
    @JsonPropertyOrder({"type", "name", "format", "chat_template", "eos_token"})
    record TgiChat(String name, String chatTemplate, String eosToken) implements ServiceModel {
        public TgiChat {
            Objects.requireNonNull(name, "name is null");
        }

        @Override
        public String format() {
            return "tgi";
        }
    }
}
