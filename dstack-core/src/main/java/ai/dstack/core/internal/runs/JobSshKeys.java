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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The key pairs of users, projects and multi-node replicas, as dstack makes them: RSA 2048, the private key as
 * unencrypted PKCS#8 PEM, the public key in OpenSSH form with the comment {@code dstack_job}.
 *
 * <p>An RSA pair costs 60-400 ms of CPU, and every engine's first start makes two (its admin's and project
 * {@code main}'s). This build's test JVMs, which start engines by the hundred, set {@value #REUSE_IN_TESTS}: then the
 * JVM makes {@value #POOL} pairs and hands them out in turn, so that two keys asked for one after the other still
 * differ. Never set it on a server: its users and projects would share keys, which is why its first use says so in
 * the log.
 */
public final class JobSshKeys {
    /** The system property of this build's test JVMs that reuses key pairs (see above). */
    public static final String REUSE_IN_TESTS = "dstack.test.reuseSshKeys";

    private static final String COMMENT = "dstack_job";
    private static final int POOL = 16;
    private static final List<JobSshKey> made = new ArrayList<>();
    private static int next;

    private JobSshKeys() {}

    public static JobSshKey generate() {
        if (!Boolean.getBoolean(REUSE_IN_TESTS)) {
            return fresh();
        }
        synchronized (made) {
            if (made.isEmpty()) {
                LoggerFactory.getLogger(JobSshKeys.class).warn("System property {} is set: this JVM reuses {} SSH key"
                        + " pairs for all users, projects and replicas. It is meant for this project's tests only;"
                        + " a server must not run with it.", REUSE_IN_TESTS, POOL);
            }
            if (made.size() < POOL) {
                made.add(fresh());
                return made.get(made.size() - 1);
            }
            return made.get(next++ % POOL);
        }
    }

    private static JobSshKey fresh() {
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
