package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** The TLS certificate of a gateway's domain: issued by Let's Encrypt, or an existing one in AWS ACM. */
public sealed interface GatewayCertificate {
    /** Certificates obtained automatically from Let's Encrypt (dstack's default). */
    record LetsEncrypt() implements GatewayCertificate {
        @JsonProperty("type")
        public String type() {
            return "lets-encrypt";
        }
    }

    /** A wildcard certificate for the domain kept in AWS Certificate Manager. */
    record Acm(String arn) implements GatewayCertificate {
        public Acm {
            Objects.requireNonNull(arn, "arn is null");
        }

        @JsonProperty("type")
        public String type() {
            return "acm";
        }
    }
}
