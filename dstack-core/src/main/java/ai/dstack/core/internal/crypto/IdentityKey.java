package ai.dstack.core.internal.crypto;

/** dstack's {@code identity} key: stores plaintext as it is ({@code enc:identity:noname:<plaintext>}). */
public record IdentityKey() implements EncryptionKey {
    public static final String TYPE = "identity";
    public static final String NAME = "noname";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String encrypt(String plaintext) {
        return plaintext;
    }

    @Override
    public String decrypt(String payload) {
        return payload;
    }
}
