package ai.dstack.core.internal.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Gives each local job a user id of its own when the engine runs as root, so that a job cannot read the server's
 * files (database, config.yml, keys), other jobs' directories and scripts, or other jobs' {@code /proc/<pid>/environ}
 * (the kernel shows a process's environment to its own user and root only). The ids come from a range no login user
 * has ({@value #FIRST_UID} and up), one new id per job, so no id is shared between two jobs; they need no entry in
 * {@code /etc/passwd}. The job's last {@code exec} goes through util-linux's {@code setpriv}, which also sets
 * no_new_privs, so set-user-id programs cannot give the job root back.
 */
final class JobUsers {
    static final long FIRST_UID = 0x7000_0000L;
    private static final long COUNT = 1L << 24;
    private static final String COUNTER_FILE = ".job-uid-counter";

    private final Path counter;
    private final String setpriv;

    private JobUsers(Path root, String setpriv) {
        this.counter = root.resolve(COUNTER_FILE);
        this.setpriv = setpriv;
    }

    /** Separate users when this process is root and setpriv is on the jobs' PATH; else none (jobs run as we do). */
    static Optional<JobUsers> forThisHost(Path root, ProcessRunner runner) {
        if (!runningAsRoot()) {
            return Optional.empty();
        }
        return runner.which("setpriv").map(path -> new JobUsers(root, path.toString()));
    }

    static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A user id no job had before on this jobs directory (the counter is kept beside the jobs, under a lock). */
    long allocate() {
        synchronized (JobUsers.class) { // the file lock is per process: threads and executors of this JVM queue here
            return allocateLocked();
        }
    }

    private long allocateLocked() {
        try (FileChannel channel = FileChannel.open(counter, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            long next = text.isEmpty() ? 0 : (Long.parseLong(text) + 1) % COUNT;
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return FIRST_UID + next;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot pick a user id for a job (" + counter + "): " + e.getMessage(), e);
        }
    }

    /** The command prefix that runs a program as {@code uid} (and group {@code uid}), no supplementary groups. */
    List<String> runAs(long uid) {
        return List.of(setpriv, "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all",
                "--no-new-privs", "--");
    }

    /** Hands {@code dir} and everything under it to {@code uid} (links themselves, never what they point to). */
    static void chownTree(Path dir, long uid) {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path path : paths) {
            try {
                Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", (int) uid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot hand " + path + " to user " + uid, e);
            }
        }
    }

    /** Makes {@code dir} searchable but not listable by others (0711): a job walks through it to its own files. */
    static void traverseOnly(Path dir) throws IOException {
        Files.getFileAttributeView(dir, PosixFileAttributeView.class)
                .setPermissions(PosixFilePermissions.fromString("rwx--x--x"));
    }
}
