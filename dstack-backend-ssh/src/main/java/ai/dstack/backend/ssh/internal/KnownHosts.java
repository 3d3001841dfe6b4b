package ai.dstack.backend.ssh.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Trust on first use, in a file a user can read and edit: the first key a host shows is written to
 * {@code known_hosts} (OpenSSH's format, {@code [host]:port key-type base64}, one line per host and port); later
 * connections must show the same key. A host whose key changed is refused, and the message names the file and the
 * line to delete if the change is expected (a reinstalled host). A key can also be put there beforehand, e.g. with
 * {@code ssh-keyscan -p PORT HOST | sed 's/^HOST/[HOST]:PORT/'}, to trust nothing on first use.
 */
final class KnownHosts {
    private final Path file;
    /** Why the last key offered by a host was refused, for the connection's error message. */
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    KnownHosts(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    static String entryName(String hostname, int port) {
        return port == 22 ? hostname : "[" + hostname + "]:" + port;
    }

    /**
     * True when the key is one recorded for the host, or the host was unknown (then its key is now recorded). A host
     * with recorded keys that shows another one is refused: one host, the keys it had.
     */
    synchronized boolean verify(String name, PublicKey key) {
        String offered = PublicKeyEntry.toString(key);
        List<String> lines = lines();
        int firstKnownLine = -1;
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).strip().split("\\s+");
            if (fields.length < 3 || !List.of(fields[0].split(",")).contains(name)) {
                continue;
            }
            if ((fields[1] + " " + fields[2]).equals(offered)) {
                refusals.remove(name);
                return true;
            }
            firstKnownLine = firstKnownLine < 0 ? i + 1 : firstKnownLine;
        }
        if (firstKnownLine > 0) {
            refusals.put(name, "the host key of " + name + " changed: it is now " + KeyUtils.getFingerPrint(key)
                    + ", but line " + firstKnownLine + " of " + file + " holds another key. If the host was"
                    + " reinstalled, delete that line and apply again; otherwise someone may be intercepting the"
                    + " connection");
            return false;
        }
        append(name + " " + offered + "\n");
        refusals.remove(name);
        return true;
    }

    Optional<String> refusal(String name) {
        return Optional.ofNullable(refusals.get(name));
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void append(String line) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
