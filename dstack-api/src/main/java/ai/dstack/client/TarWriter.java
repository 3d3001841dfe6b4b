package ai.dstack.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tar archive dstack's clients upload ({@link DstackClient#uploadArchive}) for {@code files:} and local repo code,
 * written in memory as a POSIX (pax) archive: regular files and directories with their permission bits; names
 * longer than ustar allows get a pax {@code path} record, as Python's {@code tarfile} writes them. Symbolic links
 * are followed; {@code .git} directories are left out, as dstack leaves them out.
 */
public final class TarWriter {
    private static final int BLOCK = 512;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /**
     * Adds {@code source} (a file, or a directory with everything under it) under the name {@code name}.
     *
     * @throws IOException when a file cannot be read
     */
    public TarWriter add(Path source, String name) throws IOException {
        if (Files.isDirectory(source)) {
            entry(name + "/", '5', mode(source), mtime(source), new byte[0]);
            List<Path> children;
            try (Stream<Path> list = Files.list(source)) {
                children = list.sorted().toList();
            }
            for (Path child : children) {
                // dstack leaves a repo's .git directory out of file archives.
                if (!(child.getFileName().toString().equals(".git") && Files.isDirectory(child))) {
                    add(child, name + "/" + child.getFileName());
                }
            }
        } else {
            entry(name, '0', mode(source), mtime(source), Files.readAllBytes(source));
        }
        return this;
    }

    /** Adds a regular file with this content. */
    public TarWriter addFile(String name, int mode, byte[] content) {
        entry(name, '0', mode, 0, content);
        return this;
    }

    /** The archive, ended with the two zero blocks tar expects. */
    public byte[] toByteArray() {
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        archive.writeBytes(out.toByteArray());
        archive.writeBytes(new byte[BLOCK * 2]);
        return archive.toByteArray();
    }

    private void entry(String name, char type, int mode, long mtime, byte[] content) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        String headerName = name;
        if (nameBytes.length > 100 || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            byte[] record = paxRecord("path", name);
            writeHeader("././@PaxHeader", 'x', 0644, mtime, record.length);
            writePadded(record);
            headerName = "pax-long-name";
        }
        writeHeader(headerName, type, mode, mtime, content.length);
        writePadded(content);
    }

    /** {@code "<length> <key>=<value>\n"}, where the length counts the whole record, itself included. */
    private static byte[] paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return (length + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void writeHeader(String name, char type, int mode, long mtime, long size) {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(header, 100, 8, mode & 07777);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, mtime);
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = (byte) type;
        put(header, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(header, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        out.writeBytes(header);
    }

    private void writePadded(byte[] content) {
        out.writeBytes(content);
        int rest = content.length % BLOCK;
        if (rest != 0) {
            out.writeBytes(new byte[BLOCK - rest]);
        }
    }

    private static void put(byte[] header, int offset, int length, byte[] value) {
        System.arraycopy(value, 0, header, offset, Math.min(length, value.length));
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        put(header, offset, length - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }

    /** The file's modification time in seconds: the same files make the same archive, hence the same hash. */
    private static long mtime(Path path) throws IOException {
        return Files.getLastModifiedTime(path).toMillis() / 1000;
    }

    private static int mode(Path path) {
        try {
            return (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Files.isDirectory(path) ? 0755 : Files.isExecutable(path) ? 0755 : 0644;
        }
    }
}
