package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.Schedule;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.run.AppSpec;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.ProbeSpec;
import ai.dstack.api.run.RunSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dev environments and services made into jobs; commands, probes and replica numbering are dstack's. */
class DevEnvironmentAndServiceJobSpecsTest {
    private static final List<String> VENV_311 = List.of(
            "eval $(echo 'export DSTACK_VENV_DIR=/dstack/venv' | sudo tee -a /dstack/profile)",
            "sudo rm -rf $DSTACK_VENV_DIR",
            "sudo mkdir $DSTACK_VENV_DIR",
            "sudo chown $(id -u):$(id -g) $DSTACK_VENV_DIR",
            "uv venv -q --prompt dstack -p 3.11 --seed $DSTACK_VENV_DIR",
            "eval $(echo '. $DSTACK_VENV_DIR/bin/activate' | sudo tee -a /dstack/profile)");

    private final JobSpecFactory factory = new JobSpecFactory();

    @Test
    void aDevEnvironmentInstallsItsIdeRunsInitAndStaysUp() {
        DevSpec dev = new DevSpec("vscode", "abc123", List.of("pip install -r req.txt"));

        List<JobSpec> jobs = factory.submissionJobSpecs(dev.spec(), Map.of());

        assertThat(jobs).hasSize(1);
        JobSpec job = jobs.get(0);
        List<String> expected = new ArrayList<>(VENV_311);
        expected.addAll(List.of(
                "if [ $(uname -m) = \"aarch64\" ]; then arch=\"arm64\"; else arch=\"x64\"; fi",
                "mkdir -p /tmp",
                "wget -q --show-progress \"https://update.code.visualstudio.com/commit:abc123/server-linux-$arch/stable\""
                        + " -O \"/tmp/vscode-server-linux-$arch.tar.gz\"",
                "mkdir -vp ~/.vscode-server/bin/\"abc123\"",
                "tar --no-same-owner -xz --strip-components=1 -C ~/.vscode-server/bin/\"abc123\""
                        + " -f \"/tmp/vscode-server-linux-$arch.tar.gz\"",
                "rm \"/tmp/vscode-server-linux-$arch.tar.gz\"",
                "PATH=\"$PATH\":~/.vscode-server/bin/\"abc123\"/bin code-server"
                        + " --install-extension \"ms-python.python\" --install-extension \"ms-toolsai.jupyter\"",
                "(echo 'uv pip install ipykernel...' && uv pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
                        + "(echo 'pip install ipykernel...' && pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
                        + "echo 'no uv or pip found, ipykernel was not installed'",
                "setup.sh",
                "echo",
                "pip install -r req.txt",
                "echo 'To open in VS Code, use link below:'",
                "echo",
                "echo \"  vscode://vscode-remote/ssh-remote+dev$DSTACK_WORKING_DIR\"",
                "echo",
                "echo 'To connect via SSH, use: `ssh dev`'",
                "echo",
                "echo -n 'To exit, press Ctrl+C.'",
                "tail -f /dev/null"));
        assertThat(job.commands()).containsExactly("/bin/bash", "-i", "-c", String.join(" && ", expected));
        assertThat(job.jobName()).isEqualTo("dev-0-0");
        assertThat(job.singleBranch()).isFalse();
        assertThat(job.appSpecs()).containsExactly(new AppSpec(8888, 8888, "app_0", null, null));
        assertThat(job.servicePort()).isNull();
        assertThat(job.probes()).isEmpty();
    }

    @Test
    void aDevEnvironmentWithoutIdeOrVersionOnlyPrintsHowToConnect() {
        JobSpec zed = factory.submissionJobSpecs(new DevSpec("zed", null, List.of()).spec(), Map.of()).get(0);
        JobSpec none = factory.submissionJobSpecs(new DevSpec(null, null, List.of()).spec(), Map.of()).get(0);

        assertThat(zed.commands().get(3)).contains("echo \"  zed://ssh/dev$DSTACK_WORKING_DIR\"").doesNotContain("wget");
        assertThat(none.commands().get(3)).doesNotContain("To open in").endsWith("echo -n 'To exit, press Ctrl+C.' && tail -f /dev/null");
        assertThatThrownBy(() -> factory.submissionJobSpecs(new DevSpec("emacs", null, List.of()).spec(), Map.of()))
                .hasMessage("Unsupported IDE: emacs");
    }

    @Test
    void aServiceStartsItsMinimumReplicasWithTheModelsDefaultProbe() {
        RunSpec spec = service(Map.of("min", 2, "max", 4),
                Map.of("type", "chat", "name", "meta/llama-3", "format", "openai", "prefix", "/v1/"), null);

        List<JobSpec> jobs = factory.submissionJobSpecs(spec, Map.of());

        assertThat(jobs).extracting(JobSpec::jobName).containsExactly("svc-0-0", "svc-0-1");
        assertThat(jobs).extracting(JobSpec::replicaNum).containsExactly(0, 1);
        JobSpec job = jobs.get(0);
        assertThat(job.replicaGroup()).isEqualTo("0");
        assertThat(job.servicePort()).isEqualTo(8000);
        assertThat(job.appSpecs()).isEmpty();
        assertThat(job.singleBranch()).isTrue();
        assertThat(job.commands()).containsExactly("/bin/bash", "-i", "-c",
                String.join(" && ", VENV_311) + " && vllm serve meta/llama-3");
        assertThat(job.probes()).hasSize(1);
        ProbeSpec probe = job.probes().get(0);
        assertThat(probe.url()).isEqualTo("/v1/chat/completions");
        assertThat(probe.method()).isEqualTo("post");
        assertThat(probe.body()).isEqualTo(
                "{\"model\": \"meta/llama-3\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1}");
        assertThat(probe.headers()).containsExactly(new ai.dstack.api.configuration.HttpHeader("Content-Type", "application/json"));
        assertThat(List.of(probe.timeout(), probe.interval(), probe.readyAfter())).containsExactly(30, 15, 1);
        assertThat(Specs.stored(job, JobSpec.class)).isEqualTo(job);
    }

    @Test
    void configuredProbesGetDstacksDefaults() {
        RunSpec spec = service(null, null, List.of(Map.of("type", "http", "url", "/health"),
                Map.of("type", "http", "timeout", 20, "until_ready", true)));

        List<ProbeSpec> probes = factory.submissionJobSpecs(spec, Map.of()).get(0).probes();

        assertThat(probes).containsExactly(new ProbeSpec("http", "/health", "get", List.of(), null, 10, 15, 1, false),
                new ProbeSpec("http", "/", "get", List.of(), null, 20, 15, 1, true));
    }

    @Test
    void replicaGroupsNumberReplicasAcrossGroupsAndOverrideImageAndPlacement() {
        Map<String, Object> router = new LinkedHashMap<>();
        router.put("name", "router");
        router.put("count", Map.of("min", 1, "max", 1));
        router.put("image", "lmsysorg/sglang");
        router.put("commands", List.of("python -m sglang_router"));
        Map<String, Object> idle = new LinkedHashMap<>();
        idle.put("count", Map.of("min", 0, "max", 2));
        idle.put("docker", true);
        idle.put("commands", List.of("docker run x"));
        Map<String, Object> workers = new LinkedHashMap<>();
        workers.put("name", "gpu");
        workers.put("count", Map.of("min", 2, "max", 2));
        workers.put("python", "3.10");
        workers.put("spot_policy", "spot");
        workers.put("reservation", "cr-9");
        workers.put("commands", List.of("serve"));
        workers.put("resources", Map.of("cpu", Map.of("count", Map.of("min", 8)), "memory", Map.of("min", 8.0)));
        RunSpec spec = service(List.of(router, idle, workers), null, null);

        List<JobSpec> jobs = factory.submissionJobSpecs(spec, Map.of());

        assertThat(jobs).extracting(JobSpec::jobName).containsExactly("svc-0-0", "svc-0-1", "svc-0-2");
        assertThat(jobs).extracting(JobSpec::replicaGroup).containsExactly("router", "gpu", "gpu");
        assertThat(jobs).extracting(JobSpec::nodeGroupName).containsOnly("0");
        JobSpec routerJob = jobs.get(0);
        assertThat(routerJob.imageName()).isEqualTo("lmsysorg/sglang");
        assertThat(routerJob.commands()).containsExactly("/bin/sh", "-i", "-c", "python -m sglang_router");
        assertThat(routerJob.requirements().resources().cpu().arch()).isNull();
        assertThat(routerJob.requirements().spot()).isFalse();
        JobSpec worker = jobs.get(1);
        assertThat(worker.commands().get(3)).contains("-p 3.10 --seed").endsWith(" && serve");
        assertThat(worker.requirements().spot()).isTrue();
        assertThat(worker.requirements().reservation()).isEqualTo("cr-9");
        assertThat(worker.requirements().resources().cpu().count().min()).isEqualTo(8);
        assertThat(worker.requirements().resources().cpu().arch()).isEqualTo(CpuArch.X86);
        JobSpec scaledUp = factory.jobSpecs(spec, Map.of(), 5, "1").get(0);
        assertThat(scaledUp.imageName()).isEqualTo("dstackai/dind");
        assertThat(scaledUp.privileged()).isTrue();
        assertThat(scaledUp.commands()).containsExactly("/bin/bash", "-i", "-c", "start-dockerd && docker run x");
        assertThat(scaledUp.jobName()).isEqualTo("svc-0-5");
    }

    @Test
    void serviceLimitsAreCheckedOnSubmit() {
        List<Map<String, Object>> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(Map.of("type", "http"));
        }
        assertThatThrownBy(() -> new RunSpecDefaults().apply(service(null, null, eleven), Specs.USER_KEY))
                .hasMessage("Cannot configure more than 10 probes");
        assertThatThrownBy(() -> new RunSpecDefaults().apply(service(null, null, List.of(Map.of("type", "http", "timeout", 301))),
                Specs.USER_KEY))
                .hasMessage("Probe timeout cannot be longer than 300s");
        RunSpec scheduledToZero = service(Map.of("min", 0, "max", 2), null, null);
        StandIns.Service conf = (StandIns.Service) scheduledToZero.configuration();
        RunSpec withSchedule = scheduledToZero.toBuilder().configuration(new StandIns.Service(conf.base(),
                withSchedule(), conf.commands(), conf.port(), conf.replicas(), null, null)).build();
        assertThatThrownBy(() -> new RunSpecDefaults().apply(withSchedule, Specs.USER_KEY))
                .hasMessage("Scheduled services with autoscaling to zero are not supported");
        assertThat(factory.submissionJobSpecs(withSchedule, Map.of())).isEmpty();
    }

    private static ProfileParams withSchedule() {
        return new ProfileParams(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, new Schedule(List.of("0 9 * * *")), null, null, null, null);
    }

    private static RunSpec service(Object replicas, Object model, List<Map<String, Object>> probes) {
        StandIns.Service conf = new StandIns.Service(StandIns.base(null, null), ProfileParams.NONE,
                List.of("vllm serve meta/llama-3"), new PortMapping(80, 8000), replicas, model, probes);
        return RunSpec.newBuilder().runName("svc").configuration(conf).build();
    }

    /** A dev environment named {@code dev} with port 8888 and a {@code setup.sh} setup step. */
    private record DevSpec(String ide, String version, List<String> init) {
        RunSpec spec() {
            StandIns.DevEnvironment conf = new StandIns.DevEnvironment(StandIns.base(null, List.of("setup.sh")),
                    ProfileParams.NONE,
                    List.of(PortMapping.same(8888)), ide, version, init);
            return RunSpec.newBuilder().runName("dev").configuration(conf).build();
        }
    }
}
