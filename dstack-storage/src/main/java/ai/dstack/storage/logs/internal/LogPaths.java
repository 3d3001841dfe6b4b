package ai.dstack.storage.logs.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.JobLogRef;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** dstack's file layout, with names checked so that no project or run name can point outside it. */
final class LogPaths {
    private final Path projectsRoot;

    LogPaths(Path serverDirectory) {
        this.projectsRoot = serverDirectory.resolve("projects").toAbsolutePath().normalize();
    }

    /** {@code <server_dir>/projects/<project>/logs/<run_name>/<job_submission_id>/{job,runner}.log}. */
    Path file(JobLogRef job, boolean runner) {
        String project = checkComponent("project name", job.project());
        String runName = checkComponent("run name", job.runName());
        try {
            Path file = projectsRoot
                    .resolve(project)
                    .resolve("logs")
                    .resolve(runName)
                    .resolve(job.jobSubmissionId().toString())
                    .resolve(runner ? "runner.log" : "job.log");
            if (!file.normalize().startsWith(projectsRoot)) {
                throw invalid("project name", project);
            }
            return file;
        } catch (InvalidPathException e) {
            throw new DstackException(
                    ErrorCode.INVALID_REQUEST,
                    "Cannot store logs for project '" + project + "', run '" + runName + "': " + e.getReason(),
                    e);
        }
    }

    private static String checkComponent(String what, String value) {
        if (value.isEmpty() || value.equals(".") || value.equals("..")) {
            throw invalid(what, value);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                throw invalid(what, value);
            }
        }
        return value;
    }

    private static DstackException invalid(String what, String value) {
        return new DstackException(
                ErrorCode.INVALID_REQUEST,
                "Invalid " + what + " '" + value.replaceAll("\\p{Cntrl}", "?") + "' for log storage: it must be one"
                        + " path component, without '/', '\\', control characters, and not '.' or '..'");
    }
}
