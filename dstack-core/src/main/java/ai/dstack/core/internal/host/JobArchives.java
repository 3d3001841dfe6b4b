package ai.dstack.core.internal.host;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobArchive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A job's archives (repo code, {@code files:}) as dstack's runner lays them out: code unpacks as it is, a
 * {@code files:} archive's top entry becomes the path's name. Local jobs unpack them in place; hosts reached over a
 * connection get one bundle, already checked and laid out, that a plain {@code tar -x} unpacks.
 */
public final class JobArchives {
    private JobArchives() {}

    /** Unpacks {@code archive} under the job's work directory, with {@link TarExtractor}'s guards. */
    public static void unpack(Path jobWorkDir, JobArchive archive, String jobId) {
        Path destination = jobWorkDir.resolve(archive.path()).normalize();
        try {
            if (archive.renameTop()) {
                String name = destination.getFileName().toString();
                TarExtractor.extract(archive.tar(), destination.getParent(),
                        entry -> entry.replaceFirst("^(\\./)*[^/]*", Matcher.quoteReplacement(name)));
            } else {
                TarExtractor.extract(archive.tar(), destination, entry -> entry);
            }
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.INVALID_REQUEST, "job " + jobId + ": cannot unpack the archive for '"
                    + (archive.path().isEmpty() ? "." : archive.path()) + "': " + e.getMessage(), e);
        }
    }

    /**
     * One tar of every archive at its final path relative to the job's work directory. The archives are unpacked
     * into a scratch directory first, so the bundle holds only what passed the guards.
     */
    public static byte[] bundle(List<JobArchive> archives, String jobId) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("dstack-archives-");
            for (JobArchive archive : archives) {
                unpack(scratch, archive, jobId);
            }
            return tarOf(scratch);
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "job " + jobId + ": cannot bundle its archives: " + e, e);
        } finally {
            if (scratch != null) {
                deleteTree(scratch);
            }
        }
    }

    private static byte[] tarOf(Path root) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
                Stream<Path> paths = Files.walk(root)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path path : paths.sorted().toList()) {
                if (path.equals(root)) {
                    continue;
                }
                String name = root.relativize(path).toString().replace('\\', '/');
                TarArchiveEntry entry;
                if (Files.isSymbolicLink(path)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(path).toString());
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(mode(path, 040000));
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(path));
                    entry.setMode(mode(path, 0100000));
                }
                tar.putArchiveEntry(entry);
                if (entry.isFile()) {
                    Files.copy(path, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }

    private static int mode(Path path, int type) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return type | mode;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
