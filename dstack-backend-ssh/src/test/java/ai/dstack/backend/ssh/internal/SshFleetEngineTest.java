package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.run.RunSpec;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.testing.GitRepos;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on SQLite with an SSH fleet whose hosts are MINA SSH servers on loopback, end to end. */
class SshFleetEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private DstackEngine engine;
    private TestSshServer first;
    private TestSshServer second;

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    private DstackEngine engine(boolean localFleet) {
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(localFleet)
                .sweepInterval(Duration.ofMillis(200)).keepFinishedJobFiles(true) // the tests look at the hosts' job files
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        return engine;
    }

    private static FleetConfiguration fleet(String yaml) {
        return DstackYaml.parse(yaml, "fleet.dstack.yml", FleetConfiguration.class);
    }

    private Fleet awaitInstances(String name, int count, InstanceStatus status) {
        return await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), name), f -> f.instances().size() == count
                && f.instances().stream().allMatch(i -> i.status() == status));
    }

    @Test
    void aTaskRunsOnAnSshHostAndItsOutputIsInTheLogs() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(key + ".pub"));
        engine(false);

        engine.applyFleet(fleet("type: fleet\nname: on-prem\nssh_config:\n  user: ubuntu\n  identity_file: " + key
                + "\n  hosts:\n    - hostname: 127.0.0.1\n      port: " + first.port() + "\n      blocks: 2\n"));
        Fleet fleet = awaitInstances("on-prem", 1, InstanceStatus.IDLE);
        Instance instance = fleet.instances().get(0);
        assertThat(instance.backend()).isEqualTo("remote");
        assertThat(instance.totalBlocks()).isEqualTo(2);
        assertThat(instance.instanceType().resources().cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());

        Run run = engine.applyRun(DstackYaml.parse("type: task\nname: over-ssh\ncommands:\n  - echo hello from $HOME\n"
                + "  - echo to stderr >&2\n", "task.dstack.yml", TaskConfiguration.class));
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<String> lines = engine.pollLogs(engine.defaultProject(), "over-ssh").logs().stream().map(LogEvent::text)
                .collect(Collectors.toList());
        assertThat(lines).containsExactly("hello from " + first.home() + "\n", "to stderr\n");
        assertThat(first.home().resolve(".dstack-jvm/jobs")).isDirectoryContaining(p -> !p.getFileName().toString()
                .startsWith("."));
        assertThat(engine.getFleet(engine.defaultProject(), "on-prem").instances().get(0).busyBlocks()).isZero();
    }

    @Test
    void aRemoteRepoIsClonedOnTheSshHostAtItsCommitWithTheDiffAndTheJobRunsInWorkingDir() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(key + ".pub"));
        engine(false);
        engine.applyFleet(fleet("type: fleet\nname: on-prem\nssh_config:\n  user: ubuntu\n  identity_file: " + key
                + "\n  hosts:\n    - hostname: 127.0.0.1\n      port: " + first.port() + "\n"));
        awaitInstances("on-prem", 1, InstanceStatus.IDLE);
        Path bare = dir.resolve("origin.git");
        Path clone = dir.resolve("clone");
        GitRepos.create(bare, clone);
        String commit = GitRepos.commit(clone, "first", Map.of("src/run.sh", "echo run.sh in $(basename $PWD)\n",
                "README", "committed\n"));
        Files.writeString(clone.resolve("README"), "uncommitted\n");
        byte[] diff = (GitRepos.git(clone, "diff", "--binary", "HEAD") + "\n").getBytes(StandardCharsets.UTF_8);
        String project = engine.defaultProject();
        engine.initRepo(project, "origin-1234abcd", new RepoInfo.Remote("origin"),
                new RemoteRepoCreds(bare.toUri().toString(), null, null));
        String codeHash = engine.uploadCode(project, "origin-1234abcd", diff);

        RunSpec spec = RunSpec.newBuilder().configuration(DstackYaml.parse("type: task\nname: repo-over-ssh\n"
                        + "working_dir: src\ncommands:\n  - sh run.sh\n  - cat ../README\n  - git rev-parse HEAD\n",
                        "task.dstack.yml", TaskConfiguration.class))
                .repo("origin-1234abcd", new RunRepoData.Remote("origin", "main", commit, null, null))
                .repoCodeHash(codeHash).build();
        engine.applyRun(project, new ApplyRunRequest(spec, null, true));
        Run done = engine.awaitFinished("repo-over-ssh", WAIT);

        List<String> lines = engine.pollLogs(project, "repo-over-ssh").logs().stream().map(LogEvent::text)
                .collect(Collectors.toList());
        assertThat(done.status()).as("%s", lines).isEqualTo(RunStatus.DONE);
        assertThat(lines).containsExactly("run.sh in src\n", "uncommitted\n", commit + "\n");
        assertThat(first.home().resolve(".dstack-jvm/jobs")).as("the job ran on the SSH host")
                .isDirectoryContaining(p -> !p.getFileName().toString().startsWith("."));
    }

    @Test
    void aRunOutlivesAnEngineRestartAndADroppedConnectionWithItsLogsWhole() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(key + ".pub"));
        engine(false);
        engine.applyFleet(fleet("type: fleet\nname: on-prem\nssh_config:\n  user: ubuntu\n  identity_file: " + key
                + "\n  port: " + first.port() + "\n  hosts: [127.0.0.1]\n"));
        awaitInstances("on-prem", 1, InstanceStatus.IDLE);
        Path gate = dir.resolve("gate");
        engine.applyRun(DstackYaml.parse("type: task\nname: durable\ncommands:\n  - echo one\n"
                + "  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n  - echo two\n", null,
                TaskConfiguration.class));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "durable").logs().size() == 1);

        engine.close(); // the server goes away; the job keeps running on the host
        first.stop(); // and the host cannot be reached for a while
        Files.writeString(gate, "go");
        first.restart();
        engine(false);
        Run done = engine.awaitFinished("durable", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "durable").logs()).extracting(LogEvent::text)
                .containsExactly("one\n", "two\n");
    }

    @Test
    void stoppingARunOnAnSshHostStopsItsProcess() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(key + ".pub"));
        engine(false);
        engine.applyFleet(fleet("type: fleet\nname: on-prem\nssh_config:\n  user: ubuntu\n  identity_file: " + key
                + "\n  port: " + first.port() + "\n  hosts: [127.0.0.1]\n"));
        awaitInstances("on-prem", 1, InstanceStatus.IDLE);

        engine.applyRun(DstackYaml.parse("type: task\nname: long\ncommands: [echo started, sleep 600]\n", null,
                TaskConfiguration.class));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "long").logs().stream()
                .anyMatch(e -> e.text().equals("started\n")));
        assertThat(engine.getFleet(engine.defaultProject(), "on-prem").instances().get(0).status()).isEqualTo(InstanceStatus.BUSY);
        assertThatThrownBy(() -> engine.deleteFleets(engine.defaultProject(), List.of("on-prem"))).isInstanceOf(DstackException.class)
                .hasMessage("Failed to delete fleet on-prem. Fleet is in use.");

        engine.stopRuns(engine.defaultProject(), List.of("long"), true);
        Run stopped = engine.awaitFinished("long", WAIT);

        assertThat(stopped.status()).isEqualTo(RunStatus.TERMINATED);
        awaitInstances("on-prem", 1, InstanceStatus.IDLE);
    }

    @Test
    void updatingTheFleetAddsAndRemovesHostsAndDeletingItCleansTheHosts() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(key + ".pub"));
        second = TestSshServer.start(Files.createDirectories(dir.resolve("host2")), Path.of(key + ".pub"));
        engine(false);
        String head = "type: fleet\nname: lab\nssh_config:\n  user: ubuntu\n  identity_file: " + key + "\n  hosts:\n";
        String host1 = "    - {hostname: 127.0.0.1, port: " + first.port() + "}\n";
        String host2 = "    - {hostname: 127.0.0.1, port: " + second.port() + "}\n";

        engine.applyFleet(fleet(head + host1));
        awaitInstances("lab", 1, InstanceStatus.IDLE);
        engine.applyFleet(fleet(head + host1 + host2));
        Fleet both = awaitInstances("lab", 2, InstanceStatus.IDLE);
        assertThat(both.instances()).extracting(Instance::instanceNum).containsExactly(0, 1);

        engine.applyRun(DstackYaml.parse("type: task\nname: on-second\ncommands: [echo hi]\n", null,
                TaskConfiguration.class));
        engine.awaitFinished("on-second", WAIT);
        engine.applyFleet(fleet(head + host2));
        Fleet onlySecond = engine.getFleet(engine.defaultProject(), "lab");
        assertThat(onlySecond.instances()).extracting(Instance::instanceNum).containsExactly(1);

        Path marker = second.home().resolve("not-ours.txt");
        Files.writeString(marker, "the user's file");
        engine.deleteFleets(engine.defaultProject(), List.of("lab"));

        assertThatThrownBy(() -> engine.getFleet(engine.defaultProject(), "lab")).isInstanceOf(DstackException.class);
        await().atMost(WAIT).until(() -> !Files.exists(second.home().resolve(".dstack-jvm")));
        assertThat(marker).hasContent("the user's file");
    }

    @Test
    void aHostThatRefusesTheKeyStaysPendingWithTheReasonOnTheInstance() throws Exception {
        Path accepted = TestSshServer.keygen(dir, "accepted", "ed25519", false, "");
        Path wrong = TestSshServer.keygen(dir, "wrong", "rsa", true, "");
        first = TestSshServer.start(Files.createDirectories(dir.resolve("host1")), Path.of(accepted + ".pub"));
        engine(false);

        engine.applyFleet(fleet("type: fleet\nname: refused\nssh_config:\n  user: ubuntu\n  identity_file: " + wrong
                + "\n  hosts: [{hostname: 127.0.0.1, port: " + first.port() + "}]\n"));

        Instance instance = await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "refused").instances().get(0),
                i -> i.terminationReasonMessage() != null);
        assertThat(instance.status()).isEqualTo(InstanceStatus.PENDING);
        assertThat(instance.terminationReasonMessage()).isEqualTo("Authentication failed on ubuntu@127.0.0.1:"
                + first.port() + ": the host refused the key " + wrong + " for user ubuntu");
    }

    @Test
    void fleetFilesWithoutUserOrKeyOrHostsAreRefusedNamingTheHost() throws Exception {
        engine(true);

        assertThatThrownBy(() -> engine.applyFleet(fleet("type: fleet\nname: x\nssh_config:\n  identity_file: /k\n"
                + "  hosts: [gpu-1]\n"))).hasMessage("No ssh user specified for host gpu-1");
        assertThatThrownBy(() -> engine.applyFleet(fleet("type: fleet\nname: x\nssh_config:\n  user: u\n"
                + "  hosts: [gpu-1]\n"))).hasMessage("No ssh key specified for host gpu-1");
        assertThatThrownBy(() -> engine.applyFleet(fleet("type: fleet\nname: local\nssh_config:\n  user: u\n"
                + "  identity_file: /k\n  hosts: [gpu-1]\n"))).hasMessageContaining("Fleet name local is taken");
        assertThatThrownBy(() -> engine.applyFleet(fleet("type: fleet\nname: x\nssh_config:\n  user: u\n"
                + "  identity_file: " + dir.resolve("missing") + "\n  hosts: [gpu-1]\n")))
                .hasMessageStartingWith("Cannot read identity_file " + dir.resolve("missing") + " of host gpu-1");
    }
}
