package ai.dstack.core.internal.pipeline;

import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.ClusterInfo;
import ai.dstack.core.internal.placement.JobLauncher;
import ai.dstack.spi.storage.JobRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * dstack's multi-node runs ({@code nodes: N}): the master (rank 0) is placed first and its fleet is the run's; the
 * other nodes go to distinct hosts of that fleet (the engine's own host excepted: it is the only host of its fleet).
 * No node starts before every node of its replica has a host, because each is told every node's address; then the
 * master starts first and the others once it runs.
 */
final class MultiNode {
    /** A replica's nodes: the latest submission of each rank. */
    private final Map<Integer, JobRow> nodes;
    private final int count;

    private MultiNode(Map<Integer, JobRow> nodes, int count) {
        this.nodes = nodes;
        this.count = count;
    }

    static boolean applies(JobSpec spec) {
        return spec.jobsPerReplica() != null && spec.jobsPerReplica() > 1;
    }

    /** The nodes of {@code job}'s replica among its run's jobs. */
    static MultiNode of(JobRow job, JobSpec spec, List<JobRow> runJobs) {
        Map<Integer, JobRow> latest = new TreeMap<>();
        for (JobRow other : runJobs) {
            if (other.replicaNum() == job.replicaNum()) {
                latest.merge(other.jobNum(), other, (a, b) -> a.submissionNum() >= b.submissionNum() ? a : b);
            }
        }
        return new MultiNode(latest, spec.jobsPerReplica());
    }

    /** The master's row when it has a host, which a worker needs before it can be placed. */
    Optional<JobRow> placedMaster() {
        JobRow master = nodes.get(0);
        return master != null && master.instanceAssigned() && master.instanceId() != null
                && !JobStatus.fromWireValue(master.status()).isFinished() ? Optional.of(master) : Optional.empty();
    }

    /** The hosts the replica's other active nodes hold, which {@code job} must not share. */
    List<UUID> hostsOfOthers(JobRow job) {
        List<UUID> taken = new ArrayList<>();
        for (JobRow other : nodes.values()) {
            if (!other.id().equals(job.id()) && other.instanceAssigned() && other.instanceId() != null
                    && !JobStatus.fromWireValue(other.status()).isFinished()) {
                taken.add(other.instanceId());
            }
        }
        return taken;
    }

    /** The other nodes of the replica, to tell when this one was placed or started. */
    List<UUID> others(JobRow job) {
        return nodes.values().stream().map(JobRow::id).filter(id -> !id.equals(job.id())).toList();
    }

    /**
     * Whether {@code job} (placed, not started) may start now: every node has a host, and for a worker the master
     * runs. Empty while it waits.
     */
    Optional<ClusterInfo> readyToStart(JobRow job) {
        List<String> ips = new ArrayList<>();
        List<Integer> gpus = new ArrayList<>();
        for (int rank = 0; rank < count; rank++) {
            JobRow node = nodes.get(rank);
            if (node == null || node.jobProvisioningData() == null || JobStatus.fromWireValue(node.status()).isFinished()) {
                return Optional.empty();
            }
            JobProvisioningData provisioning = Json.read(node.jobProvisioningData(), JobProvisioningData.class);
            ips.add(JobLauncher.addressOf(provisioning));
            gpus.add(JobLauncher.gpusOf(provisioning));
        }
        if (job.jobNum() != 0 && !JobStatus.RUNNING.wireValue().equals(nodes.get(0).status())) {
            return Optional.empty();
        }
        return Optional.of(new ClusterInfo(ips, gpus));
    }
}
