package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** An SSH key pair's contents, as the CLI sends them in place of {@code identity_file}. */
public record SshKey(@JsonProperty("public") String publicKey, @JsonProperty("private") String privateKey) {
    public SshKey {
        Objects.requireNonNull(publicKey, "publicKey is null");
    }
}
