package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.LogStream;
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

/** Each job on the host sees exactly its GPUs; the host's GPUs come from a stand-in nvidia-smi on PATH. */
class GpuAllocationTest {
    @TempDir Path root;
    @TempDir Path bin;

    LocalHostExecutor hostWithGpus(String vendorTool, String script) throws Exception {
        Path tool = bin.resolve(vendorTool);
        Files.writeString(tool, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("PATH", bin + ":" + env.get("PATH"));
        return new LocalHostExecutor(root, env, "none");
    }

    static final String FOUR_A100 = "for i in 0 1 2 3; do echo 'NVIDIA A100-SXM4-80GB, 81920'; done\n";
    static final String PRINT = "echo \"cuda=$CUDA_VISIBLE_DEVICES nvidia=$NVIDIA_VISIBLE_DEVICES\"";

    @Test
    void jobsGetDisjointGpusAndGiveThemBackWhenTheyEnd() throws Exception {
        try (LocalHostExecutor host = hostWithGpus("nvidia-smi", FOUR_A100)) {
            JobHandle first = host.start(JobLaunch.of("first", List.of(PRINT, "sleep 300")).withGpus(2));
            JobHandle second = host.start(JobLaunch.of("second", List.of(PRINT, "sleep 300")).withGpus(2));
            JobHandle none = host.start(JobLaunch.of("none", List.of(PRINT)).withGpus(0));

            await().atMost(Duration.ofSeconds(20)).until(() -> out(host, first).contains("cuda")
                    && out(host, second).contains("cuda") && out(host, none).contains("cuda"));
            assertThat(out(host, first)).isEqualTo("cuda=0,1 nvidia=0,1\n");
            assertThat(out(host, second)).isEqualTo("cuda=2,3 nvidia=2,3\n");
            assertThat(out(host, none)).as("a job without GPUs sees none").isEqualTo("cuda= nvidia=void\n");
            assertThatThrownBy(() -> host.start(JobLaunch.of("third", List.of(PRINT)).withGpus(1)))
                    .isInstanceOf(HostExecutionException.class)
                    .hasMessage("job third needs 1 GPU(s); this host has 4, of which running jobs hold [0, 1, 2, 3]");

            host.kill(first);
            host.onFinished(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
            JobHandle fourth = host.start(JobLaunch.of("fourth", List.of(PRINT)).withGpus(1));
            host.onFinished(fourth).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(out(host, fourth)).isEqualTo("cuda=0 nvidia=0\n");
            host.kill(second);
            host.onFinished(second).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void amdGpusAreLimitedWithRocrAndHip() throws Exception {
        String rocm = "cat <<'JSON'\n{\"card0\": {\"Card Series\": \"AMD Instinct MI300X\", \"VRAM Total Memory (B)\":"
                + " \"205822885888\"}, \"card1\": {\"Card Series\": \"AMD Instinct MI300X\", \"VRAM Total Memory (B)\":"
                + " \"205822885888\"}}\nJSON\n";
        try (LocalHostExecutor host = hostWithGpus("rocm-smi", rocm)) {
            JobHandle first = host.start(JobLaunch.of("a", List.of("sleep 0.5")).withGpus(1));
            JobHandle job = host.start(JobLaunch.of("b", List.of(
                    "echo \"rocr=$ROCR_VISIBLE_DEVICES hip=$HIP_VISIBLE_DEVICES cuda=${CUDA_VISIBLE_DEVICES-unset}\""))
                    .withGpus(1));
            host.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);
            host.onFinished(first).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(out(host, job)).isEqualTo("rocr=1 hip=0 cuda=unset\n");
        }
    }

    static String out(LocalHostExecutor host, JobHandle job) {
        return LocalHostExecutorTest.output(host, job, LogStream.STDOUT);
    }
}
