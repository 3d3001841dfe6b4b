package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A public key in OpenSSH's one-line format ({@code <type> <base64 wire blob> [comment]}), checked as dstack checks
 * it: the declared type must be one dstack supports and match the blob's, and the blob must hold exactly the fields
 * of that key type (dstack asks {@code ssh-keygen -l}; here the blob is parsed).
 */
record OpenSshPublicKey(String type, byte[] blob, String comment) {
    static final String INVALID = "Invalid public key, must be in OpenSSH public key format";

    /** The number of length-prefixed fields after the type, per supported type. */
    private static final Map<String, Integer> FIELDS = Map.of(
            "ssh-rsa", 2,
            "ecdsa-sha2-nistp256", 2,
            "ecdsa-sha2-nistp384", 2,
            "ecdsa-sha2-nistp521", 2,
            "ssh-ed25519", 1,
            "sk-ecdsa-sha2-nistp256@openssh.com", 3,
            "sk-ssh-ed25519@openssh.com", 2);

    static OpenSshPublicKey parse(String line) {
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2) {
            throw invalid();
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        ByteBuffer wire = ByteBuffer.wrap(blob);
        String wireType = new String(field(wire), StandardCharsets.US_ASCII);
        if (!wireType.equals(parts[0])) {
            throw invalid();
        }
        Integer fields = FIELDS.get(wireType);
        if (fields == null) {
            throw new DstackException(ErrorCode.ERROR, "Unsupported key type: " + wireType);
        }
        List<byte[]> values = new java.util.ArrayList<>();
        for (int i = 0; i < fields; i++) {
            values.add(field(wire));
        }
        if (wire.hasRemaining() || !plausible(wireType, values)) {
            throw invalid();
        }
        String comment = parts.length == 3 && !parts[2].isBlank() ? parts[2].strip() : null;
        return new OpenSshPublicKey(wireType, blob, comment);
    }

    /** OpenSSH's {@code SHA256:} fingerprint: base64 of the blob's sha256, without padding. */
    String fingerprint() {
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest("SHA-256"));
    }

    /** dstack's default key name when neither a name nor a comment is given: the blob's md5 in hex. */
    String defaultName() {
        return comment != null ? comment : HexFormat.of().formatHex(digest("MD5"));
    }

    private byte[] digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm).digest(blob);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    private static boolean plausible(String type, List<byte[]> values) {
        if (type.contains("ed25519")) {
            return values.get(0).length == 32;
        }
        if (type.startsWith("ecdsa-") || type.startsWith("sk-ecdsa-")) {
            String curve = new String(values.get(0), StandardCharsets.US_ASCII);
            return type.contains(curve) && values.get(1).length > 1 && values.get(1)[0] == 4;
        }
        return values.stream().allMatch(v -> v.length > 0); // rsa: exponent and modulus
    }

    private static byte[] field(ByteBuffer wire) {
        if (wire.remaining() < 4) {
            throw invalid();
        }
        int length = wire.getInt();
        if (length < 0 || length > wire.remaining()) {
            throw invalid();
        }
        byte[] value = new byte[length];
        wire.get(value);
        return value;
    }

    private static DstackException invalid() {
        return new DstackException(ErrorCode.ERROR, INVALID);
    }
}
