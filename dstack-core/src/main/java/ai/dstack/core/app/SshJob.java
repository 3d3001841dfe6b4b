package ai.dstack.core.app;

import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.RunSpec;
import java.util.List;
import java.util.UUID;

/**
 * A running job that SSH clients may enter, and the public keys that let them in.
 *
 * @param authorizedKeys OpenSSH public key lines: the run spec's {@code ssh_key_pub} and the keys of the project's
 *     active members
 */
public record SshJob(UUID jobId, String projectName, RunSpec runSpec, JobSpec jobSpec, List<String> authorizedKeys) {
    public SshJob {
        authorizedKeys = List.copyOf(authorizedKeys);
    }

    /** dstack's sshproxy upstream id of the job: its id in lowercase hex without dashes (the SSH user name). */
    public String upstreamId() {
        return jobId.toString().replace("-", "");
    }
}
