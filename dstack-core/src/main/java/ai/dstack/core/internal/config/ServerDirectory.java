package ai.dstack.core.internal.config;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server directory holds the database, config.yml (with the encryption keys), SSH keys, logs and the local
 * jobs: it is the server's alone. Created 0700 and tightened at every start (an older install made it 0755 with
 * 0644 files). Where local jobs run as users of their own, their directories are elsewhere (see the local host
 * executor), reached from here by a symbolic link.
 */
public final class ServerDirectory {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** Where the local jobs live, relative to the server directory. */
    public static final Path LOCAL = Path.of("local");

    private ServerDirectory() {}

    /** Creates {@code dir} (0700) if missing. */
    public static void create(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                try {
                    if (posix()) {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    } else {
                        Files.createDirectory(dir);
                    }
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (!Files.isDirectory(dir)) { // else another engine starting on it made it just now
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot create the server directory " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Takes group and other permissions away from {@code dir} and the entries in it (and from {@code data/}'s files). */
    public static void secure(Path dir) {
        if (!posix()) {
            return;
        }
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            Object owner = Files.getAttribute(dir, "unix:uid");
            if ((mode & 01000) != 0 || !owner.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "The server directory " + dir + " is shared"
                        + " (sticky, like /tmp) or belongs to another user: choose a directory of the server's own");
            }
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
            for (Path entry : list(dir)) {
                ownerOnly(entry);
            }
            Path data = dir.resolve("data");
            if (Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                for (Path entry : list(data)) {
                    ownerOnly(entry);
                }
            }
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot restrict the permissions of the server directory "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes nothing; makes an existing file 0600 (config.yml after it is written). */
    public static void ownerOnly(Path entry) throws IOException {
        if (!posix() || Files.isSymbolicLink(entry) || !Files.exists(entry)) {
            return;
        }
        Set<PosixFilePermission> current = Files.getPosixFilePermissions(entry);
        Set<PosixFilePermission> wanted = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : current) {
            if (permission.name().startsWith("OWNER")) {
                wanted.add(permission);
            }
        }
        if (!wanted.equals(current)) {
            Files.setPosixFilePermissions(entry, wanted);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
