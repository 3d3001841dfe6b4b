package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.DevEnvironmentConfiguration;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.ServiceConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.client.TarWriter;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.internal.runs.JobFieldSupport;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule of the job model: every field dstack accepts in a run configuration either takes effect on the host that
 * runs the job (and a test proves it) or the plan and the apply refuse the run naming the field and why.
 */
class JobFieldRuleTest {
    private static final String THIS = "dstack-engine-tests/src/test/java/ai/dstack/engine/JobFieldRuleTest.java";

    /**
     * Fields that take effect, with the test file (from the repository root) that proves it and a word that file
     * must contain. Several fields are also refused in some forms; those are in {@link #REFUSED} too.
     */
    private static final Map<String, String> EFFECTS = new TreeMap<>(Map.ofEntries(
            // Every run configuration.
            Map.entry("name", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#name"),
            Map.entry("image", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#image:"),
            Map.entry("entrypoint", THIS + "#entrypoint:"),
            Map.entry("working_dir", THIS + "#working_dir:"),
            Map.entry("env", THIS + "#env:"),
            Map.entry("shell", THIS + "#shell:"),
            Map.entry("setup", "dstack-core/src/test/java/ai/dstack/core/internal/runs/DevEnvironmentAndServiceJobSpecsTest.java#setup"),
            Map.entry("files", THIS + "#fileArchives"),
            Map.entry("repos", "dstack-cli/src/test/java/ai/dstack/cli/RepoCommandsTest.java#repos: [.]"),
            Map.entry("resources", "dstack-core/src/test/java/ai/dstack/core/internal/placement/HostShapeTest.java#gpu"),
            Map.entry("priority", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#priority"),
            Map.entry("dstack", "dstack-core/src/test/java/ai/dstack/core/internal/runs/TaskJobSpecsTest.java#dstack: true"),
            Map.entry("single_branch", "dstack-engine-tests/src/test/java/ai/dstack/engine/RemoteRepoRunTest.java#single_branch: true"),
            // On hosts with a container runtime (refused without one, below).
            Map.entry("python", "dstack-engine-tests/src/test/java/ai/dstack/engine/DstackImageRunsTest.java#python: \"3.11\""),
            Map.entry("nvcc", "dstack-engine-tests/src/test/java/ai/dstack/engine/DstackImageRunsTest.java#nvcc: true"),
            Map.entry("docker", "dstack-engine-tests/src/test/java/ai/dstack/engine/DstackImageRunsTest.java#docker: true"),
            // Profile fields.
            Map.entry("backends", THIS + "#backends:"),
            Map.entry("regions", THIS + "#regions:"),
            Map.entry("spot_policy", THIS + "#spot_policy:"),
            Map.entry("max_price", THIS + "#max_price:"),
            // With a cloud backend: placed by instance type and zone, tags on the VMs, reservations (refused without one, below).
            Map.entry("instance_types", "dstack-backend-aws/src/test/java/ai/dstack/backend/aws/internal/AwsEngineTest.java#instance_types: [m5.large]"),
            Map.entry("tags", "dstack-backend-aws/src/test/java/ai/dstack/backend/aws/internal/AwsEngineTest.java#containsEntry(\"team\", \"ml\")"),
            Map.entry("availability_zones", "dstack-backend-aws/src/test/java/ai/dstack/backend/aws/internal/AwsEngineTest.java#availability_zones: [us-east-1b]"),
            Map.entry("reservation", "dstack-backend-aws/src/test/java/ai/dstack/backend/aws/internal/AwsEngineTest.java#reservation: "),
            Map.entry("utilization_policy", "dstack-engine-tests/src/test/java/ai/dstack/engine/JobMetricsAndEventsTest.java#utilization_policy:"),
            Map.entry("creation_policy", THIS + "#creation_policy:"),
            Map.entry("fleets", THIS + "#fleets:"),
            Map.entry("retry", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#retry:"),
            Map.entry("max_duration", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#max_duration"),
            Map.entry("stop_duration", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#stop_duration"),
            Map.entry("schedule", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#schedule:"),
            // Tasks.
            Map.entry("commands", "dstack-engine-tests/src/test/java/ai/dstack/engine/EngineContractTest.java#commands:"),
            Map.entry("ports", "dstack-server/src/test/java/ai/dstack/server/DevEnvironmentSshTest.java#ports:"),
            Map.entry("nodes", "dstack-core/src/test/java/ai/dstack/core/internal/runs/TaskJobSpecsTest.java#nodes:"),
            Map.entry("groups", "dstack-core/src/test/java/ai/dstack/core/internal/runs/GroupsIpRefsTest.java#groups"),
            // Services.
            Map.entry("port", "dstack-server/src/test/java/ai/dstack/server/ServiceProxyTest.java#replicas"),
            Map.entry("strip_prefix", "dstack-server/src/test/java/ai/dstack/server/ServiceProxyTest.java#prefix is stripped"),
            Map.entry("model", "dstack-server/src/test/java/ai/dstack/server/ServiceProxyTest.java#\\\"model\\\""),
            Map.entry("auth", "dstack-server/src/test/java/ai/dstack/server/ServiceScalingTest.java#\\\"auth\\\""),
            Map.entry("scaling", "dstack-server/src/test/java/ai/dstack/server/ServiceScalingTest.java#\\\"scaling\\\""),
            Map.entry("replicas", "dstack-server/src/test/java/ai/dstack/server/ServiceScalingTest.java#\\\"replicas\\\""),
            Map.entry("probes", "dstack-cli/src/test/java/ai/dstack/cli/ServiceCommandsTest.java#probes:"),
            // Dev environments.
            Map.entry("ide", "dstack-server/src/test/java/ai/dstack/server/DevEnvironmentSshTest.java#ide:"),
            Map.entry("init", "dstack-server/src/test/java/ai/dstack/server/DevEnvironmentSshTest.java#init:"),
            Map.entry("inactivity_duration", "dstack-server/src/test/java/ai/dstack/server/DevEnvironmentSshTest.java#inactivity_duration")));

    /** For every field the hosts may refuse: a configuration that sets it in a refused form. */
    private static final Map<String, String> REFUSED = new TreeMap<>(Map.ofEntries(
            Map.entry("python", "type: task\npython: '3.12'\ncommands: [python --version]\n"),
            Map.entry("nvcc", "type: task\nnvcc: true\ncommands: [nvcc --version]\n"),
            Map.entry("user", "type: task\nuser: ubuntu\ncommands: [id]\n"),
            Map.entry("privileged", "type: task\nprivileged: true\ncommands: [id]\n"),
            Map.entry("registry_auth", "type: task\nregistry_auth: {username: u, password: p}\ncommands: [id]\n"),
            Map.entry("docker", "type: task\ndocker: true\ncommands: [docker ps]\n"),
            Map.entry("home_dir", "type: task\nhome_dir: /home/me\ncommands: [id]\n"),
            Map.entry("working_dir", "type: task\nworking_dir: /opt/elsewhere\ncommands: [pwd]\n"),
            Map.entry("setup", "type: task\nsetup: [pip install x]\ncommands: [id]\n"),
            Map.entry("single_branch", "type: task\nsingle_branch: true\ncommands: [id]\n"),
            Map.entry("volumes", "type: task\nvolumes: [/mnt/data:/data]\ncommands: [ls /data]\n"),
            Map.entry("repos", "type: task\nrepos:\n  - url: https://github.com/dstackai/dstack\ncommands: [ls]\n"),
            Map.entry("files", "type: task\nfiles: [data.txt:/tmp/data.txt]\ncommands: [cat /tmp/data.txt]\n"),
            Map.entry("resources", "type: task\nresources: {shm_size: 1GB}\ncommands: [df /dev/shm]\n"),
            Map.entry("backends", "type: task\nbackends: [aws]\ncommands: [id]\n"),
            Map.entry("regions", "type: task\nregions: [us-east-1]\ncommands: [id]\n"),
            Map.entry("spot_policy", "type: task\nspot_policy: spot\ncommands: [id]\n"),
            Map.entry("instance_types", "type: task\ninstance_types: [m5.large]\ncommands: [id]\n"),
            Map.entry("availability_zones", "type: task\navailability_zones: [us-east-1a]\ncommands: [id]\n"),
            Map.entry("reservation", "type: task\nreservation: r-1\ncommands: [id]\n"),
            Map.entry("idle_duration", "type: task\nidle_duration: 1h\ncommands: [id]\n"),
            Map.entry("startup_order", "type: task\nnodes: 2\nstartup_order: master-first\ncommands: [id]\n"),
            Map.entry("stop_criteria", "type: task\nnodes: 2\nstop_criteria: master-done\ncommands: [id]\n"),
            Map.entry("instances", "type: task\ninstances: [some-host]\ncommands: [id]\n"),
            Map.entry("tags", "type: task\ntags: {team: ml}\ncommands: [id]\n"),
            Map.entry("backend_options", "type: task\nbackend_options: [{type: aws}]\ncommands: [id]\n"),
            Map.entry("gateway", "type: service\nport: 8000\ngateway: my-gateway\ncommands: [python3 -m http.server]\n"),
            Map.entry("https", "type: service\nport: 8000\nhttps: true\ncommands: [python3 -m http.server]\n"),
            Map.entry("rate_limits", "type: service\nport: 8000\nrate_limits: [{prefix: /, rps: 1}]\ncommands: [python3 -m http.server]\n"),
            Map.entry("version", "type: dev-environment\nide: vscode\nversion: 1.90.0\n")));

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private DstackProject project() {
        DstackClient client = Dstack.connect(Map.of(Dstack.MODE, "embedded",
                "dstack.server-dir", dir.resolve("server").toString(), "dstack.local-blocks", "4",
                Dstack.PROJECT, "main"));
        opened.add(client);
        return client.project();
    }

    @Test
    void everyConfigurationFieldTakesEffectOrIsRefused() throws Exception {
        Set<String> fields = new TreeSet<>();
        for (Class<?> type : List.of(RunBase.class, ProfileParams.class, TaskConfiguration.class,
                ServiceConfiguration.class, DevEnvironmentConfiguration.class)) {
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.getType() != RunBase.class && component.getType() != ProfileParams.class) {
                    fields.add(snake(component.getName()));
                }
            }
        }
        List<String> neither = fields.stream().filter(f -> !EFFECTS.containsKey(f) && !REFUSED.containsKey(f)).toList();
        assertThat(neither).as("fields with neither a proven effect nor a refusal").isEmpty();
        assertThat(REFUSED.keySet()).as("every refusal rule has a sample here")
                .containsAll(JobFieldSupport.REFUSABLE_FIELDS);
        assertThat(JobFieldSupport.REFUSABLE_FIELDS).as("every sample here is a refusal rule")
                .containsAll(REFUSED.keySet());
        Path root = repositoryRoot();
        for (Map.Entry<String, String> effect : EFFECTS.entrySet()) {
            String[] where = effect.getValue().split("#", 2);
            Path test = root.resolve(where[0]);
            assertThat(test).as("the test proving " + effect.getKey()).exists();
            assertThat(Files.readString(test)).as(test + " proves " + effect.getKey())
                    .contains(where[1]);
        }
    }

    /** A project whose local host runs jobs without a container, as a host without podman or docker does. */
    private DstackProject projectWithoutContainers() {
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir.resolve("bare-server")).localBlocks(4)
                .containerRuntime("none").build();
        opened.add(engine);
        return engine.client(engine.adminToken()).project("main");
    }

    @Test
    void planAndApplyRefuseEachUnsupportedFieldNamingIt() {
        DstackProject main = projectWithoutContainers();
        for (Map.Entry<String, String> sample : REFUSED.entrySet()) {
            RunSpec spec = RunSpec.newBuilder().configuration(
                    (RunConfiguration) DstackYaml.parse(sample.getValue(), sample.getKey() + ".dstack.yml")).build();
            DstackException plan = catchThrowableOfType(() -> main.getRunPlan(spec), DstackException.class);
            assertThat(plan).as("plan of " + sample.getKey()).isNotNull();
            assertThat(plan.code()).as(sample.getKey() + ": " + plan.getMessage()).isEqualTo(ErrorCode.ERROR);
            assertThat(plan.getMessage()).as("plan of " + sample.getKey()).contains("`" + sample.getKey() + "`: ")
                    .contains("hosts");
            DstackException apply = catchThrowableOfType(() -> main.applyRun(new ApplyRunRequest(spec, null, true)),
                    DstackException.class);
            assertThat(apply).as("apply of " + sample.getKey()).isNotNull();
            assertThat(apply.getMessage()).isEqualTo(plan.getMessage());
        }
        assertThat(main.listRuns()).as("nothing was submitted").isEmpty();
    }

    @Test
    void workingDirFilesCodeShellEnvAndEntrypointTakeEffectOnTheLocalHost() throws Exception {
        DstackProject main = project();
        // The first run also creates the project's virtual repo, which the code below is uploaded to.
        TaskConfiguration entry = DstackYaml.parse("""
                type: task
                entrypoint: /bin/echo from-entrypoint
                commands: [one, two]
                """, "entrypoint.dstack.yml", TaskConfiguration.class);
        Run viaEntrypoint = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(entry).build()));
        List<String> entryLines = new ArrayList<>();
        main.followLogs(viaEntrypoint.runSpec().runName(),
                event -> entryLines.add(new String(event.messageBytes(), StandardCharsets.UTF_8).strip()));
        assertThat(entryLines).contains("from-entrypoint one two");
        Path data = Files.writeString(dir.resolve("data.txt"), "data file\n");
        FileArchive archive = main.client().uploadArchive(new TarWriter().add(data, "data.txt").toByteArray());
        byte[] code = new TarWriter().addFile("src/tool.sh", 0755, "echo tool ran in $(pwd)\n".getBytes(StandardCharsets.UTF_8))
                .addFile("README", 0644, "code\n".getBytes(StandardCharsets.UTF_8)).toByteArray();
        String codeHash = main.uploadCode("none", code);
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                working_dir: src
                shell: bash
                env:
                  - GREETING=hi there
                creation_policy: reuse
                fleets: [local]
                backends: [remote]
                regions: [remote]
                spot_policy: on-demand
                max_price: 0.5
                commands:
                  - echo "pwd=$(pwd)"
                  - echo "dir=$DSTACK_WORKING_DIR"
                  - ./tool.sh
                  - cat ../README ../inputs/data.txt
                  - echo "shell=$BASH_VERSION" | cut -c1-7
                  - echo "$GREETING"
                """, "effects.dstack.yml", TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task).repoCodeHash(codeHash)
                .fileArchives(List.of(new FileArchiveMapping(archive.id(), "/workflow/inputs/data.txt"))).build();
        RunPlan plan = main.getRunPlan(spec);
        assertThat(plan.jobPlans().get(0).offers()).as("max_price 0.5, on-demand, backend remote").isNotEmpty();
        Run run = main.applyRun(plan);
        List<String> lines = new ArrayList<>();
        Run finished = main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));

        assertThat(finished.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.DONE);
        String pwd = lines.stream().filter(l -> l.startsWith("pwd=")).findFirst().orElseThrow().substring(4);
        assertThat(pwd).endsWith("/src");
        assertThat(lines).contains("dir=" + pwd, "tool ran in " + pwd, "code", "data file", "shell=5",
                "hi there");

    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("mvnw"))) {
            here = here.getParent();
        }
        assertThat(here).as("the repository root (with mvnw) above the working directory").isNotNull();
        return here;
    }
}
