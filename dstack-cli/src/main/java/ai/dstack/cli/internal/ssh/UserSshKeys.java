package ai.dstack.cli.internal.ssh;

import ai.dstack.api.user.UserWithCreds;
import ai.dstack.cli.internal.CliException;
import ai.dstack.client.DstackClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The private key that opens a run, found as dstack's CLI finds it: the user's key, downloaded from the server
 * ({@code users/get_my_user}) into {@code ~/.dstack/ssh/<first 8 hex of sha1(token)>} (again after 10 minutes, in
 * case it was rotated) when it is the run's {@code ssh_key_pub}; else the legacy {@code ~/.dstack/ssh/id_rsa}.
 */
public final class UserSshKeys {
    private static final Duration REFRESH = Duration.ofMinutes(10);

    private final Path sshDir;
    private final DstackClient client;

    /** @param sshDir {@code ~/.dstack/ssh} */
    public UserSshKeys(Path sshDir, DstackClient client) {
        this.sshDir = sshDir;
        this.client = client;
    }

    /** The identity file for a run whose spec authorizes {@code runKeyPub}. */
    public Path identityFor(String runKeyPub) {
        UserWithCreds me = client.me();
        Path key = sshDir.resolve(tokenHash(me.creds().token()));
        Path pub = key.resolveSibling(key.getFileName() + ".pub");
        try {
            if (stale(key) || !Files.exists(pub)) {
                download(me, key, pub);
            }
            if (runKeyPub != null && Files.readString(pub, StandardCharsets.UTF_8).strip().equals(runKeyPub.strip())) {
                return key;
            }
        } catch (IOException e) {
            throw CliException.failure("cannot keep the user's SSH key in " + sshDir + ": " + e.getMessage());
        }
        Path legacy = sshDir.resolve("id_rsa");
        if (Files.exists(legacy)) {
            return legacy;
        }
        throw CliException.failure("User SSH key doesn't match; default SSH key (" + legacy + ") doesn't exist");
    }

    private static boolean stale(Path key) throws IOException {
        return !Files.exists(key) || Files.getLastModifiedTime(key).toInstant().isBefore(Instant.now().minus(REFRESH));
    }

    private void download(UserWithCreds me, Path key, Path pub) throws IOException {
        if (me.sshPrivateKey() == null || me.sshPublicKey() == null) {
            throw CliException.failure("the server did not send the user's SSH key (users/get_my_user)");
        }
        Files.createDirectories(sshDir);
        Path tmp = Files.createTempFile(sshDir, ".key", ".tmp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, me.sshPrivateKey(), StandardCharsets.UTF_8);
        Files.move(tmp, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(pub, me.sshPublicKey(), StandardCharsets.UTF_8);
    }

    /** dstack's {@code get_token_hash}: the first 8 hex digits of the token's SHA-1. */
    static String tokenHash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1", e);
        }
    }
}
