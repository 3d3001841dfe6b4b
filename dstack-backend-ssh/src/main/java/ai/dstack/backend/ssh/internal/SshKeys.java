package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Reads private keys (RSA, ECDSA, ed25519; OpenSSH and PEM formats) from their text. */
final class SshKeys {
    private SshKeys() {}

    /**
     * @param text the key file's content
     * @param source where it came from, for messages
     * @throws HostExecutionException when the key is passphrase-protected or not a private key this client reads
     */
    static KeyPair read(String text, String source) {
        if (text.contains("ENCRYPTED")) {
            throw passphraseProtected(source);
        }
        FilePasswordProvider refuse = (session, resource, retry) -> {
            throw new PassphraseNeeded();
        };
        List<KeyPair> keys = new ArrayList<>();
        try {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(source),
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), refuse);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (PassphraseNeeded e) {
            throw passphraseProtected(source);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (hasCause(e, PassphraseNeeded.class)) {
                throw passphraseProtected(source);
            }
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "The SSH key " + source
                    + " cannot be read: " + e.getMessage() + " (expected an RSA, ECDSA or ed25519 private key in"
                    + " OpenSSH or PEM format)", e);
        }
        if (keys.isEmpty()) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "The SSH key " + source
                    + " holds no private key (expected an RSA, ECDSA or ed25519 private key in OpenSSH or PEM format;"
                    + " is this the .pub file?)");
        }
        return keys.get(0);
    }

    private static HostExecutionException passphraseProtected(String source) {
        return new HostExecutionException(ErrorCode.INVALID_REQUEST, "The SSH key " + source
                + " is protected by a passphrase, which dstack cannot type in: use a key without one (ssh-keygen -p -N ''"
                + " -f <file> removes it from a copy)");
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static final class PassphraseNeeded extends IOException {
        private static final long serialVersionUID = 1L;
    }
}
