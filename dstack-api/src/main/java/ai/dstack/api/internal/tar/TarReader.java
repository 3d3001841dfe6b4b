package ai.dstack.api.internal.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Unpacks a tar archive (ustar, pax {@code path} records, GNU long names) into a directory. Regular files and
 * directories are written; links and devices are skipped; an entry whose name would leave the directory (an
 * absolute name or {@code ..}) fails the whole extraction, as it would be an attack rather than a mistake.
 */
public final class TarReader {
    private static final int BLOCK = 512;

    private TarReader() {}

    /**
     * Unpacks {@code archive} under {@code target}, passing each entry's name through {@code rename} first.
     *
     * @throws IOException on a malformed archive, an unsafe name, or a file that cannot be written
     */
    public static void extract(byte[] archive, Path target, UnaryOperator<String> rename) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int offset = 0;
        String longName = null;
        while (offset + BLOCK <= archive.length) {
            if (isZero(archive, offset)) {
                return;
            }
            String name = string(archive, offset, 100);
            long size = octal(archive, offset + 124, 12);
            char type = (char) archive[offset + 156];
            String prefix = "ustar".equals(string(archive, offset + 257, 5)) ? string(archive, offset + 345, 155) : "";
            int mode = (int) octal(archive, offset + 100, 8);
            int dataStart = offset + BLOCK;
            if (size < 0 || dataStart + size > archive.length) {
                throw new IOException("the archive is cut short in entry '" + name + "'");
            }
            offset = dataStart + (int) ((size + BLOCK - 1) / BLOCK) * BLOCK;
            if (type == 'x') {
                String path = paxPath(archive, dataStart, (int) size);
                longName = path != null ? path : longName;
                continue;
            }
            if (type == 'L') {
                longName = new String(archive, dataStart, (int) size, StandardCharsets.UTF_8).replaceAll("\0+$", "");
                continue;
            }
            if (type == 'g') {
                continue;
            }
            String entryName = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
            longName = null;
            if (type != '0' && type != '\0' && type != '5' && type != '7') {
                continue;
            }
            Path destination = safe(root, rename.apply(entryName), entryName);
            if (type == '5') {
                Files.createDirectories(destination);
                continue;
            }
            Files.createDirectories(destination.getParent());
            Files.deleteIfExists(destination);
            Files.write(destination, java.util.Arrays.copyOfRange(archive, dataStart, dataStart + (int) size));
            setMode(destination, mode);
        }
    }

    private static Path safe(Path root, String name, String original) throws IOException {
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

    private static String paxPath(byte[] archive, int start, int size) {
        String records = new String(archive, start, size, StandardCharsets.UTF_8);
        String path = null;
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                path = record.substring(space + 1 + "path=".length());
            }
        }
        return path;
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

    private static boolean isZero(byte[] archive, int offset) {
        for (int i = offset; i < offset + BLOCK; i++) {
            if (archive[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] archive, int offset, int length) {
        int end = offset;
        while (end < offset + length && archive[end] != 0) {
            end++;
        }
        return new String(archive, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] archive, int offset, int length) throws IOException {
        String text = string(archive, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("the archive has a malformed header (number '" + text + "')");
        }
    }
}
