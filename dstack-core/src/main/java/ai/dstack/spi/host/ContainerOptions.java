package ai.dstack.spi.host;

import java.util.List;
import java.util.Objects;

/**
 * How a job that runs in an image ({@link JobLaunch#image()}) gets its container, as dstack runs job containers:
 * host networking, the job's working directory mounted at the repo directory, the given user, privileges, shared
 * memory and instance volumes, and a registry log-in before the image is pulled.
 *
 * @param repoDir where the job's own work directory is mounted in the container (dstack's repo directory,
 *     {@code /workflow} by default)
 * @param workingDir the absolute working directory in the container, or null for {@code repoDir} joined with the
 *     launch's {@link JobLaunch#workingDir()}
 * @param user the user the container runs as ({@code name}, {@code uid} or {@code uid:gid}), or null for the image's
 * @param privileged whether the container is privileged
 * @param shmSizeBytes the size of {@code /dev/shm}, or null for the runtime's default
 * @param mounts host directories mounted into the container (dstack's instance volumes)
 * @param registryLogin credentials to log in to the image's registry with before the image is pulled, or null
 */
public record ContainerOptions(String repoDir, String workingDir, String user, boolean privileged, Long shmSizeBytes,
        List<Mount> mounts, RegistryLogin registryLogin) {

    /** dstack's repo directory in a job's container. */
    public static final String DEFAULT_REPO_DIR = "/workflow";

    /** The container of a job that asks for nothing but its image. */
    public static final ContainerOptions DEFAULTS =
            new ContainerOptions(DEFAULT_REPO_DIR, null, null, false, null, List.of(), null);

    /**
     * A host directory mounted in the container.
     *
     * @param optional when the host directory does not exist: true skips the mount, false creates the directory
     *     (dstack's instance volume rules)
     */
    public record Mount(String hostPath, String path, boolean optional) {
        public Mount {
            absolute(hostPath, "instance_path");
            absolute(path, "path");
        }
    }

    /** A registry user and password; the password never appears in a command line or a log. */
    public record RegistryLogin(String username, String password) {
        public RegistryLogin {
            Objects.requireNonNull(username, "username is null");
            Objects.requireNonNull(password, "password is null");
        }

        @Override
        public String toString() {
            return "RegistryLogin[username=" + username + ", password=***]";
        }
    }

    public ContainerOptions {
        repoDir = repoDir == null ? DEFAULT_REPO_DIR : repoDir;
        absolute(repoDir, "repo directory");
        if (workingDir != null) {
            absolute(workingDir, "working_dir");
        }
        if (user != null && (user.isBlank() || user.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("user '" + user + "' is not a user name or id");
        }
        if (shmSizeBytes != null && shmSizeBytes <= 0) {
            throw new IllegalArgumentException("shm_size must be positive, not " + shmSizeBytes + " bytes");
        }
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** The working directory in the container of a launch with these options. */
    public String containerWorkingDir(JobLaunch launch) {
        if (workingDir != null) {
            return workingDir;
        }
        String base = repoDir.endsWith("/") && repoDir.length() > 1 ? repoDir.substring(0, repoDir.length() - 1) : repoDir;
        return launch.workingDir().isEmpty() ? base : (base.equals("/") ? "" : base) + "/" + launch.workingDir();
    }

    private static void absolute(String path, String what) {
        if (path == null || !path.startsWith("/") || path.contains("\n") || java.util.List.of(path.split("/")).contains("..")) {
            throw new IllegalArgumentException(what + " '" + path + "' must be an absolute path without '..'");
        }
    }
}
