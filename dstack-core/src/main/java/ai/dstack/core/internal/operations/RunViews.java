package ai.dstack.core.internal.operations;

import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobRuntimeData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Probe;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunFleet;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.api.run.ServiceModelSpec;
import ai.dstack.api.run.ServiceSpec;
import ai.dstack.core.internal.context.StoredSpecs;
import ai.dstack.core.internal.context.ProbeStates;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds dstack's {@code Run} replies from stored rows, with the status messages dstack derives. */
public final class RunViews {
    private RunViews() {}

    static Run run(RunRow row, List<JobRow> jobRows, String projectName, String userName) {
        return run(row, jobRows, projectName, userName, ProbeStates.NONE, fleetId -> LocalFleet.NAME);
    }

    /**
     * @param probes the probe states of service replicas
     * @param fleetNames the name of a fleet by id (the run shows the fleet its first placed job is on)
     */
    public static Run run(RunRow row, List<JobRow> jobRows, String projectName, String userName, ProbeStates probes,
            java.util.function.Function<java.util.UUID, String> fleetNames) {
        Map<String, List<JobRow>> byJob = new LinkedHashMap<>();
        jobRows.stream()
                .sorted(Comparator.comparingInt(JobRow::replicaNum).thenComparingInt(JobRow::jobNum)
                        .thenComparingInt(JobRow::submissionNum))
                .forEach(j -> byJob.computeIfAbsent(j.replicaNum() + "/" + j.jobNum(), key -> new ArrayList<>()).add(j));
        List<Job> jobs = new ArrayList<>();
        for (List<JobRow> submissions : byJob.values()) {
            JobRow newest = submissions.get(submissions.size() - 1);
            List<JobSubmission> views = submissions.stream().map(j -> submission(j, probes.of(j.id()))).toList();
            jobs.add(new Job(StoredSpecs.read(newest.jobSpecData(), JobSpec.class), views, null));
        }
        JobSubmission latest = jobs.isEmpty() ? null : jobs.get(0).latestSubmission();
        RunStatus status = RunStatus.fromWireValue(row.status());
        RunTerminationReason reason = RunTerminationReason.fromWireValue(row.terminationReason());
        RunFleet fleet = jobRows.stream().filter(j -> j.fleetId() != null).findFirst()
                .map(j -> new RunFleet(j.fleetId(), fleetNames.apply(j.fleetId()))).orElse(null);
        return new Run(row.id(), projectName, userName, fleet, row.submittedAt(), row.lastProcessedAt(), status,
                runStatusMessage(status, jobs), row.terminationReason(), StoredSpecs.read(row.runSpec(), RunSpec.class), jobs,
                latest, 0.0, service(row, projectName), row.deploymentNum(), reason == null ? null : reason.toError(), row.deleted(),
                row.nextTriggeredAt());
    }

    /** dstack's in-server proxy addresses of a service run: {@code /proxy/services/<project>/<run>/}, and its model's. */
    static ServiceSpec service(RunRow row, String projectName) {
        RunSpec spec = StoredSpecs.read(row.runSpec(), RunSpec.class);
        if (!(spec.configuration() instanceof ServiceConfiguration service)) {
            return null;
        }
        ServiceModelSpec model = service.model() == null ? null
                : new ServiceModelSpec(service.model().name(), "/proxy/models/" + projectName + "/", service.model().type());
        return new ServiceSpec("/proxy/services/" + projectName + "/" + row.runName() + "/", model, java.util.Map.of());
    }

    static JobSubmission submission(JobRow row) {
        return submission(row, List.of());
    }

    static JobSubmission submission(JobRow row, List<Probe> probes) {
        JobStatus status = JobStatus.fromWireValue(row.status());
        JobTerminationReason reason = JobTerminationReason.fromWireValue(row.terminationReason());
        return new JobSubmission(row.id(), row.submissionNum(), row.deploymentNum(), row.submittedAt(),
                row.lastProcessedAt(), row.finishedAt(), row.inactivitySecs(), status,
                jobStatusMessage(status, reason, row), row.terminationReason(), row.terminationReasonMessage(),
                row.exitStatus(), StoredSpecs.read(row.jobProvisioningData(), JobProvisioningData.class),
                StoredSpecs.read(row.jobRuntimeData(), JobRuntimeData.class), reason == null ? null : reason.toError(),
                probes, null);
    }

    /** dstack's job status message: {@code exited (N)}, {@code no capacity}, {@code stopped}, ... */
    static String jobStatusMessage(JobStatus status, JobTerminationReason reason, JobRow row) {
        return switch (status) {
            case DONE -> "exited (0)";
            case FAILED -> {
                if (reason == JobTerminationReason.CONTAINER_EXITED_WITH_ERROR) {
                    yield "exited (" + (row.exitStatus() == null ? "?" : row.exitStatus()) + ")";
                }
                if (reason == JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY) {
                    String message = row.terminationReasonMessage();
                    yield message != null && message.startsWith("No matching fleet found") ? "no fleets" : "no capacity";
                }
                yield reason == JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY ? "interrupted" : "error";
            }
            case TERMINATED -> reason == JobTerminationReason.TERMINATED_BY_USER ? "stopped"
                    : reason == JobTerminationReason.MAX_DURATION_EXCEEDED ? "max duration exceeded" : "terminated";
            case ABORTED -> "aborted";
            default -> status.wireValue();
        };
    }

    /** dstack's run status message: {@code retrying} while a job waits for capacity or to be retried, else the status. */
    static String runStatusMessage(RunStatus status, List<Job> jobs) {
        if (status == RunStatus.SUBMITTED || status == RunStatus.PENDING) {
            for (Job job : jobs) {
                JobSubmission latest = job.latestSubmission();
                if (latest != null && latest.status() == JobStatus.SUBMITTED && latest.terminationReasonMessage() != null) {
                    return "retrying";
                }
                if (latest != null && latest.status() == JobStatus.FAILED) {
                    return "retrying"; // failed, waiting out its retry delay before it is submitted again
                }
            }
        }
        return status.wireValue();
    }
}
