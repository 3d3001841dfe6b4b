package ai.dstack.core.internal.runs;

import ai.dstack.api.run.JobSpec;
import java.util.List;
import java.util.Optional;

/**
 * Where a path of dstack's container view lands for a job that runs directly on a host. The job's own directory
 * plays the repo directory (the {@code repos[0].path}, {@code /workflow} by default), so a path inside it, or a
 * relative one, has a place; any other absolute path (or {@code ~}) would be outside what the job owns.
 */
public final class BareHostPaths {
    private final String repoDir;

    public BareHostPaths(String repoDir) {
        this.repoDir = repoDir == null ? JobSpec.LEGACY_REPO_DIR : strip(repoDir);
    }

    /** The path relative to the job's directory ("" for the directory itself), or empty when it is outside it. */
    public Optional<String> inJobDirectory(String path) {
        if (path == null) {
            return Optional.of("");
        }
        String p = strip(path);
        if (p.startsWith("~")) {
            return Optional.empty();
        }
        String relative;
        if (!p.startsWith("/")) {
            relative = p;
        } else if (under(p, repoDir) != null) {
            relative = under(p, repoDir);
        } else if (under(p, JobSpec.LEGACY_REPO_DIR) != null) {
            relative = under(p, JobSpec.LEGACY_REPO_DIR);
        } else {
            return Optional.empty();
        }
        relative = relative.replaceAll("^(\\./)+", "");
        if (relative.equals(".")) {
            relative = "";
        }
        return List.of(relative.split("/")).contains("..") ? Optional.empty() : Optional.of(relative);
    }

    public String repoDir() {
        return repoDir;
    }

    private static String under(String path, String dir) {
        if (path.equals(dir)) {
            return "";
        }
        String prefix = dir.equals("/") ? "/" : dir + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : null;
    }

    private static String strip(String path) {
        String p = path.replaceAll("/+", "/");
        return p.length() > 1 ? p.replaceAll("/$", "") : p;
    }
}
