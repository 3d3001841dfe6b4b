package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.event.Event;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.DstackEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nodes: N} on an SSH fleet whose hosts are MINA SSH servers on distinct loopback addresses (127.0.0.2, ...):
 * a node per host, each told every node's real address, the master started first.
 */
class SshMultiNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private DstackEngine engine;
    private final List<TestSshServer> hosts = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (TestSshServer host : hosts) {
            host.close();
        }
    }

    /** An engine with an SSH fleet of {@code count} hosts on 127.0.0.2, 127.0.0.3, ..., all idle. */
    private String fleetOf(int count, String extra) throws Exception {
        String project = startFleet(count, extra, "", i -> "");
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "cluster"), f -> f.instances().size() == count
                && f.instances().stream().allMatch(i -> i.status() == InstanceStatus.IDLE));
        return project;
    }

    /**
     * Applies a fleet of {@code count} hosts on 127.0.0.2, ... ({@code sshExtra} lines under {@code ssh_config},
     * {@code hostExtra} fields of host i) without waiting for them.
     */
    private String startFleet(int count, String extra, String sshExtra, java.util.function.IntFunction<String> hostExtra)
            throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        String publicKey = Files.readString(Path.of(key + ".pub")).strip();
        StringBuilder yaml = new StringBuilder("type: fleet\nname: cluster\n" + extra + "ssh_config:\n  user: ubuntu\n"
                + sshExtra + "  identity_file: " + key + "\n  hosts:\n");
        for (int i = 0; i < count; i++) {
            String address = "127.0.0." + (i + 2);
            TestSshServer host = TestSshServer.startAt(Files.createDirectories(dir.resolve("host" + i)), address, 0,
                    List.of(publicKey));
            hosts.add(host);
            yaml.append("    - {hostname: ").append(address).append(", port: ").append(host.port())
                    .append(hostExtra.apply(i)).append("}\n");
        }
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false)
                .sweepInterval(Duration.ofMillis(200))
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        engine.applyFleet(DstackYaml.parse(yaml.toString(), "fleet.dstack.yml", FleetConfiguration.class));
        return engine.defaultProject();
    }

    private List<String> logs(String project, String run, Job job) {
        return engine.pollLogs(project, new PollLogsRequest(run, job.latestSubmission().id(), null, null, false, null,
                100, false)).logs().stream().map(LogEvent::text).collect(Collectors.toList());
    }

    @Test
    void threeNodesRunOnThreeHostsWithTheHostsAddressesAndTheMasterStartsFirst() throws Exception {
        String project = fleetOf(3, "placement: cluster\n");

        engine.applyRun(DstackYaml.parse("type: task\nname: trio\nnodes: 3\ncommands:\n"
                + "  - echo rank=$DSTACK_NODE_RANK of=$DSTACK_NODES_NUM master=$DSTACK_MASTER_NODE_IP"
                + " nodes=$(echo $DSTACK_NODES_IPS | tr ' ' ,) home=$HOME mpi=$(tr '\\n' ';' <$DSTACK_MPI_HOSTFILE)\n",
                "task.dstack.yml", TaskConfiguration.class));
        Run done = engine.awaitFinished("trio", WAIT);

        assertThat(done.status()).as("%s", done.jobs()).isEqualTo(RunStatus.DONE);
        List<Job> jobs = done.jobs().stream().sorted(Comparator.comparingInt(j -> j.jobSpec().jobNum())).toList();
        assertThat(jobs).hasSize(3);
        List<String> hostnames = jobs.stream().map(j -> j.latestSubmission().jobProvisioningData().hostname()).toList();
        assertThat(hostnames).as("a host per node").doesNotHaveDuplicates()
                .allSatisfy(h -> assertThat(h).isIn("127.0.0.2", "127.0.0.3", "127.0.0.4"));
        String nodes = String.join(",", hostnames);
        for (int rank = 0; rank < 3; rank++) {
            TestSshServer host = hosts.get(Integer.parseInt(hostnames.get(rank).substring("127.0.0.".length())) - 2);
            assertThat(logs(project, "trio", jobs.get(rank))).containsExactly("rank=" + rank + " of=3 master="
                    + hostnames.get(0) + " nodes=" + nodes + " home=" + host.home() + " mpi=" + String.join(";", hostnames)
                    + ";\n");
        }

        // dstack starts the master first: the workers' processes start once it runs.
        UUID master = jobs.get(0).latestSubmission().id();
        List<UUID> started = engine.listEvents(ListEventsRequest.all(100).withinRuns(List.of(done.id())).ascending(true))
                .stream().filter(e -> e.message().equals("Job status changed PROVISIONING -> RUNNING"))
                .map(e -> e.targets().stream().filter(t -> t.type().equals("job")).findFirst().orElseThrow().id())
                .toList();
        assertThat(started).hasSize(3).first().isEqualTo(master);
    }

    @Test
    void moreNodesThanTheFleetHasHostsFailsTheRunNamingTheFleetAndNothingIsLeftRunning() throws Exception {
        String project = fleetOf(2, "");

        engine.applyRun(DstackYaml.parse("type: task\nname: too-many\nnodes: 3\ncommands: [sleep 600]\n",
                "task.dstack.yml", TaskConfiguration.class));
        Run done = engine.awaitFinished("too-many", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.FAILED);
        Job third = done.jobs().stream().filter(j -> j.jobSpec().jobNum() == 2).findFirst().orElseThrow();
        assertThat(third.latestSubmission().terminationReason())
                .isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(third.latestSubmission().terminationReasonMessage()).isEqualTo("Fleet cluster has no free host"
                + " for node 2 of 3: each node of a multi-node run needs a host of its own in the master node's fleet");
        await().atMost(WAIT).until(() -> engine.getFleet(project, "cluster").instances(),
                list -> list.stream().allMatch(i -> i.status() == InstanceStatus.IDLE && i.busyBlocks() == 0));
        assertThat(done.jobs()).allSatisfy(j -> assertThat(j.latestSubmission().status().isFinished()).isTrue());
    }

    @Test
    void nodesReachEachOtherAtTheHostsInternalIpOrTheirAddressInTheFleetsNetwork() throws Exception {
        // Host 0 names its internal_ip; host 1 is found in ssh_config.network on the host itself (the MINA hosts run
        // this machine's shell, whose loopback 127.0.0.1/8 is the one address in 127.0.0.0/8).
        String project = startFleet(2, "", "  network: 127.0.0.0/8\n", i -> i == 0 ? ", internal_ip: 127.0.0.12" : "");
        await().atMost(WAIT).until(() -> engine.getFleet(project, "cluster"), f -> f.instances().size() == 2
                && f.instances().stream().allMatch(i -> i.status() == InstanceStatus.IDLE));

        engine.applyRun(DstackYaml.parse("type: task\nname: duo\nnodes: 2\ncommands:\n"
                + "  - echo rank=$DSTACK_NODE_RANK master=$DSTACK_MASTER_NODE_IP nodes=$(echo $DSTACK_NODES_IPS | tr ' ' ,)\n",
                "task.dstack.yml", TaskConfiguration.class));
        Run done = engine.awaitFinished("duo", WAIT);

        assertThat(done.status()).as("%s", done.jobs()).isEqualTo(RunStatus.DONE);
        List<Job> jobs = done.jobs().stream().sorted(Comparator.comparingInt(j -> j.jobSpec().jobNum())).toList();
        List<String> internal = jobs.stream().map(j -> j.latestSubmission().jobProvisioningData().hostname())
                .map(h -> h.equals("127.0.0.2") ? "127.0.0.12" : "127.0.0.1").toList();
        for (int rank = 0; rank < 2; rank++) {
            assertThat(logs(project, "duo", jobs.get(rank))).containsExactly("rank=" + rank + " master=" + internal.get(0)
                    + " nodes=" + String.join(",", internal) + "\n");
        }
    }

    @Test
    void aHostWithNoAddressInTheFleetsNetworkStaysPendingSayingSo() throws Exception {
        String project = startFleet(1, "", "  network: 127.255.0.0/16\n", i -> "");

        await().atMost(WAIT).until(() -> engine.getFleet(project, "cluster").instances(),
                list -> list.size() == 1 && list.get(0).terminationReasonMessage() != null);
        var instance = engine.getFleet(project, "cluster").instances().get(0);
        assertThat(instance.status()).as("never idle: jobs could not reach it").isEqualTo(InstanceStatus.PENDING);
        assertThat(instance.terminationReasonMessage()).startsWith("Host ")
                .contains("has no address in network 127.255.0.0/16 (ssh_config.network)", "127.0.0.1");
    }
}
