package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs with an image. This machine has no Docker engine, so a stand-in {@code docker} script plays the CLI: it logs
 * its arguments and runs {@code docker run}'s command as a local process.
 */
class LocalHostExecutorDockerTest {
    static final String FAKE_DOCKER = """
            #!/bin/bash
            echo "$*" >>"${0%/*}/calls.log"
            [ "$1" = --config ] && shift 2
            case "$1" in
              info) [ -e "${0%/*}/daemon-down" ] || exit 0
                    echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2
                    exit 1 ;;
              run) shift
                   # The one bind mount of the job's work directory: its container path maps back to the host's.
                   while [ $# -gt 0 ]; do
                     case "$1" in
                       --rm|--init|--privileged) shift ;;
                       -v) src=${2%%:*}; dst=${2#*:}; shift 2 ;;
                       -w) wd=$2; shift 2 ;;
                       -e) case "$2" in *=*) export "$2" ;; esac; shift 2 ;;
                       --name|--network|--user|--shm-size) shift 2 ;;
                       *) break ;;
                     esac
                   done
                   cd "$src${wd#"$dst"}" || exit 125
                   shift # the image
                   exec "$@" ;;
              *) exit 0 ;;
            esac
            """;

    @TempDir Path root;
    @TempDir Path bin;

    Map<String, String> environmentWithPath(String path) {
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("PATH", path);
        return environment;
    }

    void installFakeDocker() throws IOException {
        Path docker = bin.resolve("docker");
        Files.writeString(docker, FAKE_DOCKER);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    String dockerCalls() throws IOException {
        Path calls = bin.resolve("calls.log");
        return Files.exists(calls) ? Files.readString(calls) : "";
    }

    @Test
    void imageWithoutDockerOnPathFailsAtOnceSayingWhy() {
        try (LocalHostExecutor host = new LocalHostExecutor(root, environmentWithPath(bin.toString()), "docker")) {
            JobLaunch launch = JobLaunch.of("job-1", List.of("nvidia-smi")).withImage("dstackai/base:py3.12");

            assertThatThrownBy(() -> host.start(launch))
                    .isInstanceOfSatisfying(HostExecutionException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessage("image dstackai/base:py3.12 needs a container runtime (Docker or Podman); none is"
                            + " available on this host (there is no 'docker' on PATH)");
            assertThat(host.jobs()).isEmpty();
        }
    }

    @Test
    void imageWhenDockerInfoFailsFailsAtOnceWithDockersReason() throws IOException {
        installFakeDocker();
        Files.createFile(bin.resolve("daemon-down"));
        try (LocalHostExecutor host = new LocalHostExecutor(root, environmentWithPath(bin + ":/usr/bin:/bin"), "docker")) {
            JobLaunch launch = JobLaunch.of("job-1", List.of("echo hi")).withImage("alpine:3");

            assertThatThrownBy(() -> host.start(launch))
                    .isInstanceOf(HostExecutionException.class)
                    .hasMessageStartingWith("image alpine:3 needs a container runtime (Docker or Podman); none is available"
                            + " on this host")
                    .hasMessageContaining("'docker info' failed: Cannot connect to the Docker daemon");
        }
    }

    @Test
    void imageJobRunsThroughDockerRunInANamedContainerWithTheEnvironment() throws Exception {
        installFakeDocker();
        try (LocalHostExecutor host = new LocalHostExecutor(root, environmentWithPath(bin + ":/usr/bin:/bin"), "docker")) {
            JobLaunch launch = JobLaunch.of("job-img", List.of("echo \"$DSTACK_RUN_NAME in $PWD\""))
                    .withImage("alpine:3").withShell("sh").withEnv(Map.of("DSTACK_RUN_NAME", "train"));

            JobHandle job = host.start(launch);
            HostJobState status = host.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isZero());
            Path dir = host.jobDirectory(job);
            Path workDir = dir.resolve("workdir");
            assertThat(LocalHostExecutorTest.output(host, job, LogStream.STDOUT)).isEqualTo("train in " + workDir + "\n");
            LocalHostExecutorTest.awaitWrappersGone(host);
            // dstack's container: host network, the work directory at the repo directory, variables by name only
            assertThat(dockerCalls()).contains("--config " + dir + "/.docker run --rm --init --name dstack-job-job-img"
                    + " --network host -v " + workDir + ":/workflow -w /workflow -e DSTACK_WORKING_DIR=/workflow"
                    + " -e DSTACK_RUN_NAME alpine:3 /bin/sh -c echo");
        }
    }

    @Test
    void killingAnImageJobAlsoKillsAndRemovesItsContainer() throws Exception {
        installFakeDocker();
        try (LocalHostExecutor host = new LocalHostExecutor(root, environmentWithPath(bin + ":/usr/bin:/bin"), "docker")) {
            JobHandle job = host.start(JobLaunch.of("job-img", List.of("echo ready", "sleep 60")).withImage("alpine:3"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    LocalHostExecutorTest.output(host, job, LogStream.STDOUT).equals("ready\n"));

            host.kill(job);
            HostJobState status = host.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(137));
            LocalHostExecutorTest.awaitWrappersGone(host); // and its clean-up ran
            assertThat(dockerCalls()).contains("kill --signal=KILL dstack-job-job-img", "rm -f dstack-job-job-img");
            assertThat(Files.readString(host.jobDirectory(job).resolve("container")))
                    .isEqualTo("dstack-job-job-img\n" + bin.resolve("docker") + "\n");
        }
    }
}
