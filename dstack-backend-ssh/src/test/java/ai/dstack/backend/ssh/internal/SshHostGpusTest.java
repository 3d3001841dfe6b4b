package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.DstackEngine;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.RemoteHostAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SSH host's GPUs shared out to its jobs as the engine's own host does: each job sees exactly its blocks' GPUs,
 * bare (the host's indexes) and in a container (the runtime's GPU flags). The MINA host runs its shells on this
 * machine with stand-ins on its PATH: {@code nvidia-smi} or {@code amd-smi} reporting two GPUs, and a {@code docker}
 * that logs its arguments and runs {@code docker run}'s command as a local process.
 */
class SshHostGpusTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The work directory's mount is the first -v; the rest (the MPI hostfile) have no host path here. */
    private static final String FAKE_DOCKER = """
            #!/bin/bash
            echo "$*" >>"${0%/*}/docker-calls.log"
            [ "$1" = --config ] && shift 2
            case "$1" in
              run) shift
                   while [ $# -gt 0 ]; do
                     case "$1" in
                       --rm|--init|--privileged) shift ;;
                       -v) [ -n "${src:-}" ] || { src=${2%%:*}; dst=${2#*:}; }; shift 2 ;;
                       -w) wd=$2; shift 2 ;;
                       -e) case "$2" in *=*) export "$2" ;; esac; shift 2 ;;
                       -*) shift 2 ;;
                       *) break ;;
                     esac
                   done
                   cd "$src${wd#"$dst"}" || exit 125
                   shift # the image
                   exec "$@" ;;
              *) exit 0 ;;
            esac
            """;

    @TempDir
    Path dir;

    private DstackEngine engine;
    private TestSshServer host;
    private SshConnector connector;

    @AfterEach
    void close() throws Exception {
        if (host != null && !Files.exists(host.home().resolve("go"))) {
            Files.createFile(host.home().resolve("go")); // the holding jobs end, whatever happened
        }
        if (engine != null) {
            engine.close();
        }
        if (connector != null) {
            connector.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private Path startHost(String tool, String output) throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"));
        install(tool, "#!/bin/sh\ncat <<'OUT'\n" + output + "OUT\n");
        return key;
    }

    private void install(String tool, String script) throws Exception {
        Path file = Files.createDirectories(host.home().resolve("bin")).resolve(tool);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> logs(String run) {
        return engine.pollLogs(engine.defaultProject(), run).logs().stream().map(LogEvent::text)
                .collect(Collectors.toList());
    }

    private JobStatus status(String run) {
        return engine.getRun(engine.defaultProject(), run).jobs().get(0).latestSubmission().status();
    }

    @Test
    void twoJobsOnATwoGpuHostWithTwoBlocksGetGpuZeroAndGpuOneBareAndInAContainer() throws Exception {
        Path key = startHost("nvidia-smi", "NVIDIA L4, 23034\nNVIDIA L4, 23034\n");
        install("docker", FAKE_DOCKER);
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false).containerRuntime("none")
                .sweepInterval(Duration.ofMillis(200))
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        engine.applyFleet(DstackYaml.parse("type: fleet\nname: gpus\nssh_config:\n  user: ubuntu\n  identity_file: "
                + key + "\n  hosts:\n    - {hostname: 127.0.0.1, port: " + host.port() + ", blocks: 2}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "gpus").instances(),
                list -> list.size() == 1 && list.get(0).status() == InstanceStatus.IDLE);
        String print = "  - echo cuda=$CUDA_VISIBLE_DEVICES nvidia=$NVIDIA_VISIBLE_DEVICES gpus=$DSTACK_GPUS_NUM\n";

        // The bare job holds GPU 0 until the test lets it end.
        engine.applyRun(DstackYaml.parse("type: task\nname: bare\nresources: {cpu: 1, memory: 1GB.., gpu: 1}\ncommands:\n" + print
                + "  - cat $DSTACK_MPI_HOSTFILE\n  - while [ ! -e " + host.home() + "/go ]; do sleep 0.1; done\n",
                "task.dstack.yml", TaskConfiguration.class));
        await().atMost(WAIT).untilAsserted(() -> assertThat(logs("bare")).as("%s",
                engine.getRun(engine.defaultProject(), "bare").latestJobSubmission()).hasSize(2));
        engine.applyRun(DstackYaml.parse("type: task\nname: boxed\nimage: example/cuda:12\nresources: {cpu: 1, memory: 1GB.., gpu: 1}\n"
                + "commands:\n" + print, "task.dstack.yml", TaskConfiguration.class));
        Run boxed = engine.awaitFinished("boxed", WAIT);
        Files.createFile(host.home().resolve("go"));
        Run bare = engine.awaitFinished("bare", WAIT);

        assertThat(bare.status()).as("%s", bare.latestJobSubmission()).isEqualTo(RunStatus.DONE);
        assertThat(boxed.status()).as("%s", boxed.latestJobSubmission()).isEqualTo(RunStatus.DONE);
        assertThat(logs("bare")).containsExactly("cuda=0 nvidia=0 gpus=1\n", "127.0.0.1 slots=1\n");
        assertThat(logs("boxed")).as("in the container, its one GPU is CUDA's 0")
                .containsExactly("cuda=0 nvidia=1 gpus=1\n");
        String calls = Files.readString(host.home().resolve("bin/docker-calls.log"));
        assertThat(calls).contains(" --gpus \"device=1\"").doesNotContain("device=0");
    }

    @Test
    void amdGpusAreLimitedWithRocrAndHipAndAThirdJobIsRefusedNamingTheHeldGpus() throws Exception {
        String gpu = "{\"asic\": {\"market_name\": \"AMD Instinct MI300X\"}, \"vram\": {\"size\": {\"value\": 196592,"
                + " \"unit\": \"MB\"}}}";
        Path key = startHost("amd-smi", "[" + gpu + ", " + gpu + "]\n");
        connector = new SshConnector(dir.resolve("known_hosts"), SshSettings.defaults()
                .withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100)));
        var remote = connector.host(new RemoteHostAddress("127.0.0.1", host.port(), "dstack", Files.readString(key),
                key.toString(), null));
        assertThat(remote.probe().gpus()).singleElement().satisfies(g -> assertThat(g.count()).isEqualTo(2));
        HostExecutor executor = remote.executor();
        String print = "echo rocr=$ROCR_VISIBLE_DEVICES hip=$HIP_VISIBLE_DEVICES cuda=${CUDA_VISIBLE_DEVICES-unset}";
        String hold = "while [ ! -e " + host.home() + "/go ]; do sleep 0.1; done";

        JobHandle first = executor.start(JobLaunch.of("first", List.of(print, hold)).withGpus(1));
        JobHandle second = executor.start(JobLaunch.of("second", List.of(print, hold)).withGpus(1));
        assertThatThrownBy(() -> executor.start(JobLaunch.of("third", List.of(print)).withGpus(1)))
                .isInstanceOf(HostExecutionException.class)
                .hasMessage("job third needs 1 GPU(s); this host has 2, of which running jobs hold [0, 1]");
        Files.createFile(host.home().resolve("go"));
        executor.onFinished(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
        executor.onFinished(second).toCompletableFuture().get(30, TimeUnit.SECONDS);
        // Both ended: their GPUs are free again.
        JobHandle fourth = executor.start(JobLaunch.of("fourth", List.of(print)).withGpus(2));
        executor.onFinished(fourth).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(out(executor, first)).isEqualTo("rocr=0 hip=0 cuda=unset\n");
        assertThat(out(executor, second)).isEqualTo("rocr=1 hip=0 cuda=unset\n");
        assertThat(out(executor, fourth)).isEqualTo("rocr=0,1 hip=0,1 cuda=unset\n");
    }

    private static String out(HostExecutor executor, JobHandle job) {
        StringBuilder text = new StringBuilder();
        for (LogLine line : executor.readLogs(job, 0, 100).lines()) {
            text.append(line.rawText());
        }
        return text.toString();
    }
}
