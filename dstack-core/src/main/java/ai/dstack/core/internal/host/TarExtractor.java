package ai.dstack.core.internal.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks the tar archives that clients upload ({@code files:} and repo code) into a job's directory, reading them
 * with Commons Compress (ustar, pax, GNU long names) and guarding the directory on top:
 * <ul>
 *   <li>an entry with an absolute name, or whose name leaves the directory with {@code ..}, fails the whole
 *       extraction, as it would be an attack rather than a mistake;</li>
 *   <li>nothing is written through a symbolic link: an entry whose path goes through one fails;</li>
 *   <li>symbolic and hard links are made only when they point inside the directory;</li>
 *   <li>an archive cut short (in a header, in an entry's data, or before its end-of-archive blocks) fails, naming
 *       the entry where it ends, instead of unpacking part of the files in silence.</li>
 * </ul>
 * Devices and FIFOs are not made: a job's files never need them.
 */
final class TarExtractor {
    private TarExtractor() {}

    /**
     * Unpacks {@code archive} under {@code target}, passing each entry's name (and each hard link's target) through
     * {@code rename} first.
     *
     * @throws IOException on a malformed or truncated archive, an unsafe entry, or a file that cannot be written; the
     *     message names the entry
     */
    static void extract(byte[] archive, Path target, UnaryOperator<String> rename) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        readThrough(archive, root, rename); // so that a cut short or unsafe archive writes nothing
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                unpack(tar, entry, root, rename);
            }
        }
    }

    /** Reads every header and every entry's data, checking names and the end of the archive. */
    private static void readThrough(byte[] archive, Path root, UnaryOperator<String> rename) throws IOException {
        try (EndCheckingTarInput tar = new EndCheckingTarInput(new ByteArrayInputStream(archive))) {
            String last = null;
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar, last)) != null) {
                last = entry.getName();
                Path destination = inside(root, rename.apply(last), last);
                if (entry.isSymbolicLink()) {
                    checkSymbolicLink(root, destination, entry);
                } else if (entry.isLink()) {
                    hardLinkSource(root, entry, rename);
                }
                try {
                    tar.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new IOException("the archive is cut short in the entry '" + last + "': " + e.getMessage(),
                            e);
                }
            }
            if (tar.endedWithoutMarker()) {
                throw new IOException("the archive is cut short" + after(last)
                        + ": it ends without tar's end-of-archive blocks");
            }
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String last) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("the archive has a malformed or cut short header" + after(last) + ": "
                    + e.getMessage(), e);
        }
    }

    private static String after(String entryName) {
        return entryName == null ? "" : " after the entry '" + entryName + "'";
    }

    private static void unpack(InputStream tar, TarArchiveEntry entry, Path root, UnaryOperator<String> rename)
            throws IOException {
        String original = entry.getName();
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            return;
        }
        Path destination = inside(root, rename.apply(original), original);
        if (destination.equals(root)) {
            return; // "./": the directory itself
        }
        walkParents(root, destination, original, true);
        if (entry.isDirectory()) {
            if (Files.isSymbolicLink(destination)) {
                throw new IOException("the archive entry '" + original + "' is a directory where the archive made a"
                        + " symbolic link");
            }
            Files.createDirectories(destination);
        } else if (entry.isSymbolicLink()) {
            checkSymbolicLink(root, destination, entry);
            Files.deleteIfExists(destination);
            Files.createSymbolicLink(destination, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            Path existing = hardLinkSource(root, entry, rename);
            walkParents(root, existing, original, false);
            if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("the archive entry '" + original + "' is a hard link to '"
                        + entry.getLinkName() + "', which is not a file unpacked before it");
            }
            Files.deleteIfExists(destination);
            Files.createLink(destination, existing);
        } else {
            Files.deleteIfExists(destination); // a link of the same name is replaced, not followed
            Files.copy(tar, destination);
            setMode(destination, entry.getMode());
        }
    }

    /** Refuses a symbolic link whose target is absolute or leaves {@code root}, seen from where the link is. */
    private static void checkSymbolicLink(Path root, Path destination, TarArchiveEntry entry) throws IOException {
        String linkTarget = entry.getLinkName();
        if (Path.of(linkTarget).isAbsolute()
                || !destination.getParent().resolve(linkTarget).normalize().startsWith(root)) {
            throw new IOException("the archive entry '" + entry.getName() + "' is a symbolic link to '" + linkTarget
                    + "', outside the target directory");
        }
    }

    /** The file a hard link entry links to, refused if outside {@code root}. */
    private static Path hardLinkSource(Path root, TarArchiveEntry entry, UnaryOperator<String> rename)
            throws IOException {
        String linkName = entry.getLinkName();
        try {
            return inside(root, rename.apply(linkName), linkName);
        } catch (IOException e) {
            throw new IOException("the archive entry '" + entry.getName() + "' is a hard link to '" + linkName
                    + "', outside the target directory", e);
        }
    }

    /** The entry's path under {@code root}, refusing absolute names and names that leave it. */
    private static Path inside(Path root, String name, String original) throws IOException {
        String relative = name.replaceAll("^(\\./)+", "");
        if (relative.startsWith("/")) {
            throw new IOException("the archive entry '" + original + "' has an absolute path");
        }
        Path destination = root.resolve(relative).normalize();
        if (!destination.startsWith(root)) {
            throw new IOException("the archive entry '" + original + "' points outside the target directory");
        }
        return destination;
    }

    /**
     * Checks that no directory between {@code root} and {@code destination} is a symbolic link, creating the missing
     * ones if {@code create}.
     */
    private static void walkParents(Path root, Path destination, String original, boolean create)
            throws IOException {
        Path current = root;
        for (Path part : root.relativize(destination.getParent() == null ? root : destination.getParent())) {
            if (part.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new IOException("the archive entry '" + original + "' goes through the symbolic link '"
                        + root.relativize(current) + "'");
            }
            if (!create) {
                continue;
            }
            try {
                Files.createDirectory(current);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("the archive entry '" + original + "' needs the directory '"
                            + root.relativize(current) + "', which is a file", e);
                }
            }
        }
    }

    private static void setMode(Path file, int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        permissions.add(PosixFilePermission.OWNER_READ);
        permissions.add(PosixFilePermission.OWNER_WRITE);
        try {
            Files.setPosixFilePermissions(file, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            // modes are a nicety; the content is what the job needs
        }
    }

    /**
     * Commons Compress takes an input that stops before the end-of-archive blocks for the end of the archive; this
     * notices it. A record read short before the end was seen is such a stop (the second end block may be missing:
     * some writers put only one).
     */
    private static final class EndCheckingTarInput extends TarArchiveInputStream {
        private boolean endedWithoutMarker;

        EndCheckingTarInput(InputStream in) {
            super(in);
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record == null && !isAtEOF()) {
                endedWithoutMarker = true;
            }
            return record;
        }

        boolean endedWithoutMarker() {
            return endedWithoutMarker;
        }
    }
}
