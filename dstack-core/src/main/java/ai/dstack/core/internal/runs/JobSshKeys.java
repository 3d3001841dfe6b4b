package ai.dstack.core.internal.runs;

import ai.dstack.api.run.JobSshKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * The key pair the jobs of one multi-node replica use to reach each other, as dstack makes it: RSA 2048, the private
 * key as unencrypted PKCS#8 PEM, the public key in OpenSSH form with the comment {@code dstack_job}.
 */
public final class JobSshKeys {
    private static final String COMMENT = "dstack_job";

    private JobSshKeys() {}

    public static JobSshKey generate() {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate RSA keys", e);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new JobSshKey(pem, openSshPublicKey((RSAPublicKey) pair.getPublic()) + " " + COMMENT + "\n");
    }

    /** {@code ssh-rsa <base64 of the RFC 4253 blob>}. */
    static String openSshPublicKey(RSAPublicKey key) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeBytes(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
            writeMpint(out, key.getPublicExponent());
            writeMpint(out, key.getModulus());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "ssh-rsa " + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static void writeMpint(DataOutputStream out, BigInteger value) throws IOException {
        writeBytes(out, value.toByteArray()); // two's complement, big-endian: already SSH's mpint form
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }
}
