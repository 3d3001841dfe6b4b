package ai.dstack.core.internal.placement;

import java.util.List;

/**
 * The nodes a job runs with, as dstack's runner tells the job: every node's address by rank (the master first) and
 * the GPUs each node holds.
 *
 * @param nodeIps the replica's nodes' addresses, by rank; one entry for a single-node job
 * @param gpusPerNode the GPUs of each node, by rank
 */
public record ClusterInfo(List<String> nodeIps, List<Integer> gpusPerNode) {
    /** The address a job is known by on the engine's own host. */
    public static final String LOCAL_IP = "127.0.0.1";

    public ClusterInfo {
        nodeIps = List.copyOf(nodeIps);
        gpusPerNode = List.copyOf(gpusPerNode);
        if (nodeIps.isEmpty() || nodeIps.size() != gpusPerNode.size()) {
            throw new IllegalArgumentException("a cluster needs one address and one GPU count per node");
        }
    }

    public String masterIp() {
        return nodeIps.get(0);
    }

    /**
     * dstack's MPI hostfile: a line per node by rank, {@code <ip> slots=<gpus>}, or the bare address for a node without
     * GPUs (MPI then counts its cores).
     */
    public String mpiHostfile() {
        StringBuilder hostfile = new StringBuilder();
        for (int rank = 0; rank < nodeIps.size(); rank++) {
            int gpus = gpusPerNode.get(rank);
            hostfile.append(nodeIps.get(rank)).append(gpus == 0 ? "" : " slots=" + gpus).append('\n');
        }
        return hostfile.toString();
    }

    public int gpusNum() {
        return gpusPerNode.stream().mapToInt(Integer::intValue).sum();
    }
}
