package ai.dstack.api.run;

import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.UtilizationPolicy;
import ai.dstack.api.json.internal.Values;
import ai.dstack.api.repo.RunRepoData;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One job of a run, fully resolved by the server: the command line, image, environment and what it needs.
 * Defaults that dstack fills for older jobs are filled here too.
 *
 * @param replicaNum 0 when absent
 * @param jobName {@code <run>-<jobNum>-<replicaNum>}
 * @param jobsPerReplica 1 when absent
 * @param replicaGroup {@code "0"} when absent
 * @param commands the full argv, e.g. {@code ["/bin/bash", "-i", "-c", "<commands>"]}
 * @param maxDuration seconds, or null for no limit (enforced by the runner)
 * @param stopDuration seconds to wait for a graceful stop, or null
 * @param sshKey set only for multi-node jobs, and stripped from API replies
 * @param repoDir {@code /workflow} when absent
 * @param registryAuth may hold {@code ${{ secrets.NAME }}} references until the job starts
 * @param volumes null for jobs stored before dstack had volumes
 * @param repoExistsAction {@code error} or {@code skip}; null without a repo
 * @param fileArchives empty when absent
 * @param servicePort null for non-services
 * @param probes empty when absent
 * @param nodeGroupName {@code "0"} when absent
 */
public record JobSpec(
        int replicaNum,
        int jobNum,
        String jobName,
        Integer jobsPerReplica,
        String replicaGroup,
        List<AppSpec> appSpecs,
        UnixUser user,
        List<String> commands,
        Map<String, String> env,
        String homeDir,
        String imageName,
        boolean privileged,
        Boolean singleBranch,
        Integer maxDuration,
        Integer stopDuration,
        UtilizationPolicy utilizationPolicy,
        RegistryAuth registryAuth,
        Requirements requirements,
        Retry retry,
        List<MountPoint> volumes,
        JobSshKey sshKey,
        String workingDir,
        RunRepoData repoData,
        String repoCodeHash,
        String repoDir,
        RepoExistsAction repoExistsAction,
        List<FileArchiveMapping> fileArchives,
        Integer servicePort,
        List<ProbeSpec> probes,
        int nodeGroupIndex,
        String nodeGroupName,
        int nodeGroupJobIndex) {
    /** Where the repo was checked out before dstack 0.19.27, and still the default. */
    public static final String LEGACY_REPO_DIR = "/workflow";
    /** The name of the default replica group and node group. */
    public static final String DEFAULT_GROUP_NAME = "0";

    public JobSpec {
        Objects.requireNonNull(jobName, "jobName is null");
        Objects.requireNonNull(imageName, "imageName is null");
        Objects.requireNonNull(requirements, "requirements is null");
        jobsPerReplica = Values.orDefault(jobsPerReplica, 1);
        replicaGroup = Values.orDefault(replicaGroup, DEFAULT_GROUP_NAME);
        appSpecs = Values.listOrNull(appSpecs);
        commands = Values.list(commands);
        env = Values.map(env);
        volumes = Values.listOrNull(volumes);
        repoDir = Values.orDefault(repoDir, LEGACY_REPO_DIR);
        fileArchives = Values.list(fileArchives);
        probes = Values.list(probes);
        nodeGroupName = Values.orDefault(nodeGroupName, DEFAULT_GROUP_NAME);
    }
}
