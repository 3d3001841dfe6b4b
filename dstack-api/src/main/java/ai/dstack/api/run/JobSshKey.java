package ai.dstack.api.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** The key pair a multi-node job's nodes use to reach each other. {@link #toString()} hides the private key. */
public record JobSshKey(@JsonProperty("private") String privateKey, @JsonProperty("public") String publicKey) {
    public JobSshKey {
        Objects.requireNonNull(privateKey, "privateKey is null");
        Objects.requireNonNull(publicKey, "publicKey is null");
    }

    @Override
    public String toString() {
        return "JobSshKey[privateKey=***, publicKey=" + publicKey + "]";
    }
}
