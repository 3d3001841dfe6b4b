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
 * {@code /etc/passwd}. The ids are counted host-wide (every server on this host draws from one counter under
 * {@value #JOBS_BASE}), so the jobs of two servers never share one either. The job's last {@code exec} goes through util-linux's {@code setpriv}, which also sets
 * no_new_privs, so set-user-id programs cannot give the job root back.
 *
 * <p>A job must reach its own directory by absolute path ({@code $HOME}, {@code $DSTACK_WORKING_DIR}, programs that
 * resolve their working directory), which it cannot through the server directory (0700, often under root's 0700
 * home). So the jobs live under {@value #JOBS_BASE}{@code /<hash of the jobs directory>/} (every directory on the way
 * searchable, none listable by others), and the server's jobs directory is a symbolic link to it.
 */
final class JobUsers {
    static final long FIRST_UID = 0x7000_0000L;
    private static final long COUNT = 1L << 24;
    private static final String COUNTER_FILE = ".job-uid-counter";
    /** In each jobs directory under {@value #JOBS_BASE}: the path of the server's link to it. */
    private static final String SERVER_FILE = ".server";
    private static final java.util.concurrent.atomic.AtomicBoolean SWEEP_AT_EXIT = new java.util.concurrent.atomic.AtomicBoolean();
    static final String JOBS_BASE = "/var/lib/dstack-jvm/jobs";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobUsers.class);

    private final Path counter;
    private final String setpriv;

    private JobUsers(Path counter, String setpriv) {
        this.counter = counter;
        this.setpriv = setpriv;
    }

    /** Separate users when this process is root and setpriv is on the jobs' PATH; else none (jobs run as we do). */
    static Optional<JobUsers> forThisHost(ProcessRunner runner) {
        if (!runningAsRoot()) {
            return Optional.empty();
        }
        Optional<Path> setpriv = runner.which("setpriv");
        if (setpriv.isEmpty()) {
            LOG.warn("This server runs as root but util-linux's setpriv is not on PATH: local jobs run as root too");
            return Optional.empty();
        }
        return Optional.of(new JobUsers(Path.of(JOBS_BASE, COUNTER_FILE), setpriv.get().toString()));
    }

    /**
     * Where the jobs of jobs directory {@code declared} should be: where jobs get users of their own, under
     * {@value #JOBS_BASE} with {@code declared} a link to it (or {@code declared} itself when it already holds jobs of
     * an earlier start); else {@code declared}.
     */
    static Path place(Path declared) throws IOException {
        if (!runningAsRoot() || !new ProcessRunner(LocalHostExecutor.defaultBaseEnvironment()).isOnPath("setpriv")) {
            return declared;
        }
        java.security.MessageDigest sha256;
        try {
            sha256 = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        String hash = java.util.HexFormat.of().formatHex(sha256
                .digest(declared.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        Path base = Path.of(JOBS_BASE);
        Path real = base.resolve(hash);
        for (Path dir : List.of(base.getParent(), base, real)) {
            Files.createDirectories(dir);
            if (Files.isSymbolicLink(dir) || ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    .longValue() != 0) {
                throw new IOException(dir + " must be a directory of root's (it holds the jobs of root's server)");
            }
            traverseOnly(dir);
        }
        if (Files.isSymbolicLink(declared)) {
            if (Files.readSymbolicLink(declared).equals(real)) {
                Files.writeString(real.resolve(SERVER_FILE), declared + "\n");
                return real;
            }
            throw new IOException(declared + " is a symbolic link to " + Files.readSymbolicLink(declared)
                    + ", not to " + real + ": remove it");
        }
        if (Files.isDirectory(declared)) {
            if (holdsJobs(declared)) {
                LOG.warn("{} holds jobs of an earlier start, so jobs stay there; they run as users of their own, which"
                        + " cannot reach their directories by absolute path if a parent directory is private", declared);
                return declared;
            }
            deleteTree(declared);
        }
        Files.createDirectories(declared.getParent());
        try {
            Files.createSymbolicLink(declared, real);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Another engine starting on the same server directory linked it just now.
            if (!Files.isSymbolicLink(declared) || !Files.readSymbolicLink(declared).equals(real)) {
                throw e;
            }
        }
        Files.writeString(real.resolve(SERVER_FILE), declared + "\n");
        sweepOrphans(base);
        if (SWEEP_AT_EXIT.compareAndSet(false, true)) {
            // Server directories removed while this process ran (temporary ones above all) leave no jobs behind.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sweepOrphans(base), "dstack-jobs-sweep"));
        }
        return real;
    }

    /**
     * Removes the jobs directories whose server directory is gone (its link no longer leads there): nothing can adopt
     * or read their jobs any more.
     */
    static void sweepOrphans(Path base) {
        List<Path> dirs;
        try (Stream<Path> list = Files.list(base)) {
            dirs = list.toList();
        } catch (IOException e) {
            return;
        }
        for (Path dir : dirs) {
            try {
                Path serverFile = dir.resolve(SERVER_FILE);
                if (!Files.isRegularFile(serverFile, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Path link = Path.of(Files.readString(serverFile).strip());
                boolean linked = Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(dir);
                if (!linked) {
                    deleteTree(dir);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Cannot sweep {}: {}", dir, e.toString());
            }
        }
    }

    private static boolean holdsJobs(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(entry -> !entry.getFileName().toString().startsWith("."));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A user id no job on this host had before (the counter file is locked across the servers of this host). */
    long allocate() {
        synchronized (JobUsers.class) { // the file lock is per process: threads and executors of this JVM queue here
            return allocateLocked();
        }
    }

    private long allocateLocked() {
        try {
            if (!Files.isDirectory(counter.getParent())) {
                Files.createDirectories(counter.getParent());
                traverseOnly(counter.getParent());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot pick a user id for a job (" + counter + "): " + e.getMessage(), e);
        }
        try (FileChannel channel = FileChannel.open(counter, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            long next = text.isEmpty() ? 0 : (Long.parseLong(text) + 1) % COUNT;
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
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
