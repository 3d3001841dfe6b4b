package ai.dstack.core.internal.context;

import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobConnectionInfo;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.core.internal.runs.IdeLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * dstack's {@code job_connection_info} for running jobs, once an SSH server into jobs is published: the server is
 * dstack's sshproxy (the job's upstream id as the user name), and the CLI's attach makes the run name a host alias
 * for it, which the "attached" command and IDE link use.
 */
public final class JobConnections {
    /** Where SSH clients reach the jobs: the sshproxy hostname and port. */
    public record Endpoint(String hostname, int port) {}

    private volatile Endpoint endpoint;
    private volatile Function<UUID, String> workingDirectories = id -> null;

    public void publish(Endpoint endpoint, Function<UUID, String> workingDirectories) {
        this.workingDirectories = workingDirectories;
        this.endpoint = endpoint;
    }

    public Run decorate(Run run) {
        Endpoint published = endpoint;
        if (published == null || run.jobs().isEmpty()) {
            return run;
        }
        List<Job> jobs = new ArrayList<>();
        boolean changed = false;
        for (Job job : run.jobs()) {
            JobSubmission latest = job.latestSubmission();
            if (latest != null && latest.status() == JobStatus.RUNNING && job.jobConnectionInfo() == null) {
                jobs.add(new Job(job.jobSpec(), job.jobSubmissions(), info(run, job.jobSpec(), latest.id(), published)));
                changed = true;
            } else {
                jobs.add(job);
            }
        }
        if (!changed) {
            return run;
        }
        return new Run(run.id(), run.projectName(), run.user(), run.fleet(), run.submittedAt(), run.lastProcessedAt(),
                run.status(), run.statusMessage(), run.terminationReason(), run.runSpec(), jobs, run.latestJobSubmission(),
                run.cost(), run.service(), run.deploymentNum(), run.error(), run.deleted(), run.nextTriggeredAt());
    }

    private JobConnectionInfo info(Run run, JobSpec spec, UUID jobId, Endpoint published) {
        String attachedHost = spec.jobNum() == 0 && spec.replicaNum() == 0 ? run.runSpec().runName() : spec.jobName();
        String upstreamId = SshTarget.upstreamId(jobId);
        String proxiedAuthority = upstreamId + "@" + host(published.hostname()) + (published.port() == 22 ? "" : ":" + published.port());
        String ideName = null;
        String attachedIdeUrl = null;
        String proxiedIdeUrl = null;
        if (run.runSpec().configuration() instanceof DevEnvironmentConfiguration dev && dev.ide() != null) {
            String ide = dev.ide().wireValue();
            ideName = IdeLinks.name(ide).orElse(null);
            String workingDir = workingDirectories.apply(jobId);
            if (workingDir != null) {
                attachedIdeUrl = IdeLinks.url(ide, attachedHost, workingDir).orElse(null);
                proxiedIdeUrl = IdeLinks.url(ide, proxiedAuthority, workingDir).orElse(null);
            }
        }
        List<String> proxied = new ArrayList<>(List.of("ssh", upstreamId + "@" + published.hostname()));
        if (published.port() != 22) {
            proxied.addAll(List.of("-p", Integer.toString(published.port())));
        }
        return new JobConnectionInfo(ideName, attachedIdeUrl, proxiedIdeUrl, List.of("ssh", attachedHost), proxied,
                published.hostname(), published.port() == 22 ? null : published.port(), upstreamId);
    }

    private static String host(String hostname) {
        return hostname.contains(":") && !hostname.startsWith("[") ? "[" + hostname + "]" : hostname;
    }
}
