package ai.dstack.spi.host;

import java.util.Objects;

/**
 * A tar archive the host unpacks into a job's working directory before the job's commands start: a repo's code or
 * an archive of a configuration's {@code files:}.
 *
 * @param path where, relative to the job's working directory ({@code ""} for the directory itself); must stay inside it
 * @param tar the archive
 * @param renameTop dstack's rule for {@code files:}: the archive's top-level entry is renamed to the last segment of
 *     {@code path} and unpacked into its parent (a file or a directory lands exactly at {@code path}); false unpacks
 *     the archive's entries under {@code path} as they are (repo code)
 */
public record JobArchive(String path, byte[] tar, boolean renameTop) {
    public JobArchive {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(tar, "tar is null");
        if (path.startsWith("/") || java.util.List.of(path.split("/")).contains("..")) {
            throw new IllegalArgumentException("archive path '" + path + "' must be relative to the job's working"
                    + " directory and stay inside it");
        }
        if (renameTop && path.replaceAll("^(\\./)+|/+$", "").isEmpty()) {
            throw new IllegalArgumentException("archive path '" + path + "' must name a file or directory");
        }
    }

    /**
     * For executors whose hosts are reached over a connection: every archive of a launch in one tar at its final
     * path relative to the job's work directory, checked and laid out as a local host would unpack them, so that a
     * plain {@code tar -x} in that directory gives the same tree.
     */
    public static byte[] bundle(java.util.List<JobArchive> archives, String jobId) {
        return ai.dstack.core.internal.host.JobArchives.bundle(archives, jobId);
    }
}
