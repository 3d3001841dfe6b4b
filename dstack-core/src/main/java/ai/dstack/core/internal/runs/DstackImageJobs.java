package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.RunBase;

/**
 * Jobs that name no {@code image} but need dstack's: {@code python:} and {@code nvcc:} run in its base image,
 * {@code docker: true} in its Docker-in-Docker image (the job spec's {@code image_name} says which). On hosts with a
 * container runtime they run in that image; elsewhere plan and apply refuse them ({@link JobFieldSupport}).
 */
public final class DstackImageJobs {
    /** Where dstack's base image keeps the job's venv. */
    static final String VENV_DIR = "/dstack/venv";

    private DstackImageJobs() {}

    /** Whether the job runs in one of dstack's images rather than on the host. */
    public static boolean runsInDstackImage(RunBase base) {
        return base.image() == null
                && (base.python() != null || Boolean.TRUE.equals(base.nvcc()) || Boolean.TRUE.equals(base.docker()));
    }

    /**
     * Bash lines that give a base-image job its Python before its commands, as dstack's image commands do (a venv
     * made by {@code uv} with the configured version, activated). An image without {@code uv} (a site's own base
     * image) must then have that Python as {@code python3}, else the job fails saying so: running another Python
     * would silently ignore {@code python:}. Empty for jobs that are not base-image jobs.
     *
     * @param defaultPython the version dstack uses when the configuration names none
     */
    public static String pythonPrelude(RunBase base, String image, String defaultPython) {
        if (!runsInDstackImage(base) || Boolean.TRUE.equals(base.docker())) {
            return "";
        }
        boolean explicit = base.python() != null;
        String version = explicit ? base.python().wireValue() : defaultPython;
        String failure = "python: cannot make a Python " + version + " venv with uv in " + image;
        StringBuilder s = new StringBuilder()
                .append("if command -v uv >/dev/null 2>&1; then\n")
                .append("  export DSTACK_VENV_DIR=").append(VENV_DIR).append('\n')
                .append("  __dstack_sudo=; [ \"$(id -u)\" = 0 ] || __dstack_sudo=sudo\n")
                .append("  { $__dstack_sudo rm -rf \"$DSTACK_VENV_DIR\" && $__dstack_sudo mkdir -p \"$DSTACK_VENV_DIR\"")
                .append(" && $__dstack_sudo chown \"$(id -u):$(id -g)\" \"$DSTACK_VENV_DIR\"")
                .append(" && uv venv -q --prompt dstack -p ").append(version).append(" --seed \"$DSTACK_VENV_DIR\"")
                .append(" && . \"$DSTACK_VENV_DIR/bin/activate\"; } || { echo ")
                .append(quote(failure)).append(" >&2; exit 1; }\n");
        if (explicit) {
            s.append("elif [ \"$(python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])' 2>/dev/null)\" != ")
                    .append(quote(version)).append(" ]; then\n")
                    .append("  echo ").append(quote("python: " + image + " has no uv to make a Python " + version
                            + " venv, and its python3 is not Python " + version + "; point the server's base image"
                            + " (DSTACK_SERVER_BASE_IMAGE) at one that has either"))
                    .append(" >&2; exit 1\n");
        }
        return s.append("fi\n").toString();
    }

    /** Quotes text as one shell word. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
