package ai.dstack.core.internal.context;

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
public record SshTarget(UUID jobId, String projectName, RunSpec runSpec, JobSpec jobSpec, List<String> authorizedKeys) {
    public SshTarget {
        authorizedKeys = List.copyOf(authorizedKeys);
    }

    /** dstack's sshproxy upstream id of a job: its id in lowercase hex without dashes. */
    public static String upstreamId(UUID jobId) {
        return jobId.toString().replace("-", "");
    }

    public String upstreamId() {
        return upstreamId(jobId);
    }
}
