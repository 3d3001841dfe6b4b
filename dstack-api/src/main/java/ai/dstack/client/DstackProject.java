package ai.dstack.client;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.project.Project;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.secret.Secret;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One project of a {@link DstackClient}: the client's project-scoped calls with the project name bound. It holds
 * no state of its own, so it is as thread-safe as its client and needs no closing; closing the client ends it.
 *
 * <pre>{@code
 * DstackProject main = client.project("main");
 * Run run = main.applyRun(ApplyRunRequest.of(main.getRunPlan(spec)));
 * main.stopRun(run.runSpec().runName());
 * }</pre>
 */
public final class DstackProject {
    private final DstackClient client;
    private final String name;

    DstackProject(DstackClient client, String name) {
        this.client = Objects.requireNonNull(client, "client is null");
        this.name = Objects.requireNonNull(name, "name is null");
    }

    public String name() {
        return name;
    }

    public DstackClient client() {
        return client;
    }

    /** The project with its members and backends. */
    public Project get() {
        return client.getProject(name);
    }

    /** Makes the project public or private (project admins). */
    public Project setPublic(boolean isPublic) {
        return client.updateProject(name, isPublic);
    }

    /** Creates or updates a repo with the caller's credentials (see {@link DstackClient#initRepo}). */
    public void initRepo(String repoId, ai.dstack.api.repo.RepoInfo info, ai.dstack.api.repo.RemoteRepoCreds creds) {
        client.initRepo(name, repoId, info, creds);
    }

    /** Uploads a repo's code; returns its hash for the run spec's {@code repo_code_hash}. */
    public String uploadCode(String repoId, byte[] code) {
        return client.uploadCode(name, repoId, code);
    }

    public Project addMembers(List<MemberSetting> members) {
        return client.addMembers(name, members);
    }

    public Project setMembers(List<MemberSetting> members) {
        return client.setMembers(name, members);
    }

    public Project removeMembers(List<String> usernames) {
        return client.removeMembers(name, usernames);
    }

    /** The project's latest runs, deleted ones included (flagged). */
    public List<Run> listRuns() {
        return client.listRuns(RunQuery.ofProject(name));
    }

    /** Runs of this project matching {@code query}; its project name is replaced by this project's. */
    public List<Run> listRuns(RunQuery query) {
        return client.listRuns(query.withProjectName(name));
    }

    public Run getRun(String runName) {
        return client.getRun(name, runName);
    }

    public Run getRun(UUID runId) {
        return client.getRun(name, runId);
    }

    public RunPlan getRunPlan(RunSpec runSpec) {
        return client.getRunPlan(name, runSpec);
    }

    public RunPlan getRunPlan(RunPlanRequest request) {
        return client.getRunPlan(name, request);
    }

    public Run applyRun(ApplyRunRequest request) {
        return client.applyRun(name, request);
    }

    /** Submits a configuration as it is; see {@link DstackClient#applyRun(String, ai.dstack.api.configuration.RunConfiguration)}. */
    public Run applyRun(ai.dstack.api.configuration.RunConfiguration configuration) {
        return client.applyRun(name, configuration);
    }

    /** Waits until the run is finished; see {@link DstackClient#awaitFinished(String, String, java.time.Duration)}. */
    public Run awaitFinished(String runName, java.time.Duration timeout) {
        return client.awaitFinished(name, runName, timeout);
    }

    /** The GPUs of the offers a run spec gets ({@code gpus/list}). */
    public List<ai.dstack.api.offer.GpuGroup> listGpus(ListGpusRequest request) {
        return client.listGpus(name, request);
    }

    /** Applies a plan as the server made it. */
    public Run applyRun(RunPlan plan) {
        return client.applyRun(name, ApplyRunRequest.of(plan));
    }

    /** Stops a run gracefully, as {@code dstack stop} does. */
    public void stopRun(String runName) {
        client.stopRuns(name, List.of(runName), false);
    }

    public void stopRuns(List<String> runNames, boolean abort) {
        client.stopRuns(name, runNames, abort);
    }

    public void deleteRuns(List<String> runNames) {
        client.deleteRuns(name, runNames);
    }

    public JobSubmissionLogs pollLogs(PollLogsRequest request) {
        return client.pollLogs(name, request);
    }

    /** Follows the output of job 0 of replica 0 until the run finishes; see {@link DstackClient#followLogs}. */
    public Run followLogs(String runName, Consumer<? super LogEvent> sink) throws InterruptedException {
        return client.followLogs(name, FollowLogsRequest.of(runName), sink);
    }

    public Run followLogs(FollowLogsRequest request, Consumer<? super LogEvent> sink) throws InterruptedException {
        return client.followLogs(name, request, sink);
    }

    /** The project's own fleets and the ones imported into it, as {@code dstack fleet} lists them. */
    /** The newest {@code limit} samples of a job's CPU, memory and GPU usage. */
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(String runName, int replicaNum, int jobNum, int limit) {
        return client.getJobMetrics(name, runName, replicaNum, jobNum, limit);
    }

    public List<Fleet> listFleets() {
        return client.listFleets(name, true);
    }

    public Fleet getFleet(String fleetName) {
        return client.getFleet(name, fleetName);
    }

    public FleetPlan getFleetPlan(FleetSpec spec) {
        return client.getFleetPlan(name, spec);
    }

    public Fleet applyFleet(ApplyFleetRequest request) {
        return client.applyFleet(name, request);
    }

    public void deleteFleets(List<String> fleetNames) {
        client.deleteFleets(name, fleetNames);
    }

    /** The project's network volumes, as {@code dstack volume} lists them. */
    public List<ai.dstack.api.volume.Volume> listVolumes() {
        return client.listVolumes(name);
    }

    public ai.dstack.api.volume.Volume getVolume(String volumeName) {
        return client.getVolume(name, volumeName);
    }

    public ai.dstack.api.volume.Volume createVolume(ai.dstack.api.configuration.VolumeConfiguration configuration) {
        return client.createVolume(name, configuration);
    }

    public void deleteVolumes(List<String> volumeNames) {
        client.deleteVolumes(name, volumeNames);
    }

    /** The instances of this project's fleets. */
    public List<Instance> listInstances() {
        return client.listInstances(InstanceQuery.ofProject(name));
    }

    public List<Secret> listSecrets() {
        return client.listSecrets(name);
    }

    public Secret getSecret(String secretName) {
        return client.getSecret(name, secretName);
    }

    public Secret setSecret(String secretName, String value) {
        return client.setSecret(name, secretName, value);
    }

    public void deleteSecrets(List<String> names) {
        client.deleteSecrets(name, names);
    }

    @Override
    public String toString() {
        return "DstackProject[" + name + "]";
    }
}
