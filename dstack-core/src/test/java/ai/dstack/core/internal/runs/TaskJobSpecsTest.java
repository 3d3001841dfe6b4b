package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.VolumeMountPoint;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.run.AppSpec;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.RetryEvent;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.UnixUser;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Task runs made into jobs; the expected argv, names and defaults are dstack's. */
class TaskJobSpecsTest {
    private static final List<String> VENV = List.of(
            "eval $(echo 'export DSTACK_VENV_DIR=/dstack/venv' | sudo tee -a /dstack/profile)",
            "sudo rm -rf $DSTACK_VENV_DIR",
            "sudo mkdir $DSTACK_VENV_DIR",
            "sudo chown $(id -u):$(id -g) $DSTACK_VENV_DIR",
            "uv venv -q --prompt dstack -p 3.12 --seed $DSTACK_VENV_DIR",
            "eval $(echo '. $DSTACK_VENV_DIR/bin/activate' | sudo tee -a /dstack/profile)");

    private final JobSpecFactory factory = new JobSpecFactory();

    @Test
    void aTaskOnTheDefaultImageRunsItsCommandsInBashAfterDstacksVenvSetup() {
        JobSpec job = single("type: task\npython: 3.12\ncommands:\n  - pip install -r req.txt\n  - python train.py\n");

        String joined = String.join(" && ", VENV) + " && pip install -r req.txt && python train.py";
        assertThat(job.commands()).containsExactly("/bin/bash", "-i", "-c", joined);
        assertThat(job.imageName()).isEqualTo("dstackai/base:0.15-base-ubuntu24.04");
        assertThat(job.jobName()).isEqualTo("train-0-0");
        assertThat(job.jobNum()).isZero();
        assertThat(job.replicaNum()).isZero();
        assertThat(job.jobsPerReplica()).isEqualTo(1);
        assertThat(job.replicaGroup()).isEqualTo("0");
        assertThat(job.nodeGroupName()).isEqualTo("0");
        assertThat(job.privileged()).isFalse();
        assertThat(job.singleBranch()).isTrue();
        assertThat(job.maxDuration()).isNull();
        assertThat(job.stopDuration()).isEqualTo(300);
        assertThat(job.retry()).isNull();
        assertThat(job.sshKey()).isNull();
        assertThat(job.homeDir()).isEqualTo("/root");
        assertThat(job.workingDir()).isNull();
        assertThat(job.repoDir()).isEqualTo("/workflow");
        assertThat(job.repoExistsAction()).isNull();
        assertThat(job.appSpecs()).isEmpty();
        assertThat(job.requirements().spot()).isFalse();
        assertThat(job.requirements().multinode()).isFalse();
        assertThat(job.requirements().resources().cpu().arch()).isEqualTo(CpuArch.X86);
        assertThat(Specs.stored(job, JobSpec.class)).isEqualTo(job);
    }

    @Test
    void withoutPythonTheVenvUsesTheServersVersion() {
        JobSpec job = single("type: task\ncommands: [ls]\n");

        assertThat(job.commands().get(3)).contains("uv venv -q --prompt dstack -p 3.11 --seed $DSTACK_VENV_DIR");
    }

    @Test
    void aCustomImageRunsInShWithoutTheVenvAndItsArchIsLeftOpen() {
        JobSpec job = single("type: task\nimage: python:3.12-slim\ncommands: [python -V]\n");

        assertThat(job.commands()).containsExactly("/bin/sh", "-i", "-c", "python -V");
        assertThat(job.imageName()).isEqualTo("python:3.12-slim");
        assertThat(job.requirements().resources().cpu().arch()).isNull();
        assertThat(job.user()).isNull();
    }

    @Test
    void theShellIsNamedOrAPath() {
        assertThat(single("type: task\nimage: alpine\nshell: bash\ncommands: [ls]\n").commands().get(0)).isEqualTo("/bin/bash");
        assertThat(single("type: task\nimage: alpine\nshell: /usr/bin/zsh\ncommands: [ls]\n").commands().get(0))
                .isEqualTo("/usr/bin/zsh");
    }

    @Test
    void aBackgroundCommandIsWrappedSoTheChainStillParses() {
        JobSpec job = single("type: task\nimage: alpine\ncommands:\n  - \"  server --port 80 &  \"\n  - client\n");

        assertThat(job.commands().get(3)).isEqualTo("{ server --port 80 & } && client");
    }

    @Test
    void anEntrypointIsSplitLikeAShellAndGetsTheCommandsAsArguments() {
        JobSpec job = single("type: task\nimage: my/image\nentrypoint: python -m 'my module' --flag=\"a b\"\ncommands: [--epochs, 3]\n");

        assertThat(job.commands()).containsExactly("python", "-m", "my module", "--flag=a b", "--epochs", "3");
    }

    @Test
    void dockerInDockerUsesTheDindImagePrivilegedAndStartsDockerd() {
        JobSpec job = single("type: task\ndocker: true\ncommands: [docker ps]\n");

        assertThat(job.imageName()).isEqualTo("dstackai/dind");
        assertThat(job.privileged()).isTrue();
        assertThat(job.commands()).containsExactly("/bin/bash", "-i", "-c", "start-dockerd && docker ps");
        assertThat(job.requirements().resources().cpu().arch()).isEqualTo(CpuArch.X86);
    }

    @Test
    void nvccSelectsTheDevelImage() {
        assertThat(single("type: task\nnvcc: true\ncommands: [nvcc -V]\n").imageName())
                .isEqualTo("dstackai/base:0.15-devel-ubuntu24.04");
    }

    @Test
    void aMultiNodeTaskMakesOneJobPerNodeSharingOneKey() {
        RunSpec spec = Specs.submitted("dist", "type: task\nnodes: 3\ncommands: [torchrun train.py]\n");

        List<JobSpec> jobs = factory.submissionJobSpecs(spec, Map.of());

        assertThat(jobs).extracting(JobSpec::jobName).containsExactly("dist-0-0", "dist-1-0", "dist-2-0");
        assertThat(jobs).extracting(JobSpec::jobNum).containsExactly(0, 1, 2);
        assertThat(jobs).allSatisfy(j -> {
            assertThat(j.jobsPerReplica()).isEqualTo(3);
            assertThat(j.requirements().multinode()).isTrue();
            assertThat(j.sshKey()).isEqualTo(jobs.get(0).sshKey());
        });
        assertThat(jobs.get(0).sshKey().publicKey()).startsWith("ssh-rsa ").endsWith(" dstack_job\n");
        assertThat(jobs.get(0).sshKey().privateKey()).startsWith("-----BEGIN PRIVATE KEY-----\n");
    }

    @Test
    void nodeGroupsMakeTheirJobsInOrderWithTheirOwnCommandsAndResources() {
        RunSpec spec = Specs.submitted("het", """
                type: task
                image: nvcr.io/nvidia/pytorch
                groups:
                  - name: master
                    commands: [serve]
                    resources: {cpu: 4}
                  - nodes: 2
                    commands: [work]
                    resources: {gpu: H100:8}
                    ports: [8080]
                """);

        List<JobSpec> jobs = factory.submissionJobSpecs(spec, Map.of());

        assertThat(jobs).extracting(JobSpec::jobName).containsExactly("het-0-0", "het-1-0", "het-2-0");
        assertThat(jobs).extracting(JobSpec::nodeGroupName).containsExactly("master", "1", "1");
        assertThat(jobs).extracting(JobSpec::nodeGroupIndex).containsExactly(0, 1, 1);
        assertThat(jobs).extracting(JobSpec::nodeGroupJobIndex).containsExactly(0, 0, 1);
        assertThat(jobs).extracting(j -> j.commands().get(3)).containsExactly("serve", "work", "work");
        assertThat(jobs.get(0).requirements().resources().cpu().count().min()).isEqualTo(4);
        assertThat(jobs.get(1).requirements().resources().gpu().name()).containsExactly("H100");
        assertThat(jobs.get(0).appSpecs()).isEmpty();
        assertThat(jobs.get(2).appSpecs()).containsExactly(new AppSpec(8080, 8080, "app_0", null, null));
        assertThat(jobs).extracting(JobSpec::jobsPerReplica).containsOnly(3);
    }

    @Test
    void envComesFromTheConfigurationAndPassThroughVariablesMustBeResolved() {
        JobSpec job = single("type: task\ncommands: [env]\nenv:\n  - B=2\n  - A=${{ secrets.TOKEN }}\n");

        assertThat(job.env()).containsExactly(Map.entry("B", "2"), Map.entry("A", "${{ secrets.TOKEN }}"));
        assertThatThrownBy(() -> single("type: task\ncommands: [env]\nenv: [HF_TOKEN, A=1, AWS_KEY]\n"))
                .isInstanceOf(DstackException.class)
                .hasMessage("not all variables are resolved: AWS_KEY, HF_TOKEN");
    }

    @Test
    void dstackTrueGivesTheJobTheServerSocket() {
        assertThat(single("type: task\ndstack: true\ncommands: [dstack ps]\n").env())
                .containsEntry("DSTACK_SERVER_URL", "http+unix://%2Frun%2Fdstack%2Fserver.sock");
    }

    @Test
    void profileSettingsBecomeLimitsRetryAndRequirements() {
        JobSpec job = single("""
                type: task
                commands: [train]
                max_duration: 2h
                stop_duration: "off"
                retry: true
                spot_policy: spot
                max_price: 1.5
                reservation: cr-1
                utilization_policy: {min_gpu_utilization: 10, time_window: 10m}
                """);

        assertThat(job.maxDuration()).isEqualTo(7200);
        assertThat(job.stopDuration()).isNull();
        assertThat(job.retry().onEvents()).containsExactly(RetryEvent.NO_CAPACITY, RetryEvent.INTERRUPTION, RetryEvent.ERROR);
        assertThat(job.retry().duration()).isEqualTo(3600);
        assertThat(job.requirements().spot()).isTrue();
        assertThat(job.requirements().maxPrice()).isEqualTo(1.5);
        assertThat(job.requirements().reservation()).isEqualTo("cr-1");
        assertThat(job.utilizationPolicy().timeWindow()).isEqualTo(600);
        assertThat(single("type: task\ncommands: [x]\nspot_policy: auto\nmax_duration: \"off\"\n"))
                .satisfies(j -> {
                    assertThat(j.requirements().spot()).isNull();
                    assertThat(j.maxDuration()).isNull();
                });
        assertThat(single("type: task\ncommands: [x]\nretry: {on_events: [error], duration: 10m}\n").retry())
                .satisfies(r -> {
                    assertThat(r.onEvents()).containsExactly(RetryEvent.ERROR);
                    assertThat(r.duration()).isEqualTo(600);
                });
    }

    @Test
    void portsBecomeAppsExceptDstacksReservedOnes() {
        JobSpec job = single("type: task\ncommands: [x]\nports: [10999, \"8000:80\", 6006]\n");

        assertThat(job.appSpecs()).containsExactly(new AppSpec(80, 8000, "app_0", null, null),
                new AppSpec(6006, 6006, "app_1", null, null));
    }

    @Test
    void pathsRepoAndUserFollowDstacksRules() {
        JobSpec legacy = single("type: task\ncommands: [x]\nworking_dir: src/./app/\nuser: 1000:users\n");
        JobSpec absolute = single("type: task\ncommands: [x]\nworking_dir: /opt/app\nsingle_branch: false\n");

        assertThat(legacy.workingDir()).isEqualTo("/workflow/src/app");
        assertThat(legacy.user()).isEqualTo(new UnixUser(1000, null, null, "users"));
        assertThat(absolute.workingDir()).isEqualTo("/opt/app");
        assertThat(absolute.singleBranch()).isFalse();
        JobSpec withRepo = single("type: task\ncommands: [x]\nrepos: [{url: \"https://github.com/dstackai/dstack\", path: /src}]\n");
        assertThat(withRepo.repoDir()).isEqualTo("/src");
        assertThat(withRepo.repoExistsAction()).isEqualTo(RepoExistsAction.ERROR);
    }

    @Test
    void volumeNamesAreInterpolatedPerNode() {
        RunSpec spec = Specs.submitted("vols", "type: task\nnodes: 2\ncommands: [x]\nvolumes:\n"
                + "  - name: [\"data-${{ dstack.job_num }}\", \"data-any\"]\n    path: /data\n"
                + "  - /mnt/cache:/cache\n");

        List<JobSpec> jobs = factory.submissionJobSpecs(spec, Map.of());

        assertThat(jobs.get(1).volumes()).containsExactly(new VolumeMountPoint(List.of("data-1", "data-any"), "/data", true),
                new InstanceMountPoint("/mnt/cache", "/cache", false));
        assertThatThrownBy(() -> single("type: task\ncommands: [x]\nvolumes: [\"${{ dstack.rank }}:/d\"]\n"))
                .hasMessage("Failed to interpolate due to missing vars: ['dstack.rank']");
    }

    @Test
    void aScheduledRunMakesNoJobsOnSubmission() {
        RunSpec spec = Specs.submitted("cron", "type: task\ncommands: [x]\nschedule: {cron: \"0 * * * *\"}\n");

        assertThat(factory.submissionJobSpecs(spec, Map.of())).isEmpty();
        assertThat(factory.jobSpecs(spec, Map.of(), 0, null)).hasSize(1);
    }

    @Test
    void anImageInspectorSuppliesWhatOnlyTheRegistryKnows() {
        RunSpec spec = Specs.submitted("img", "type: task\nimage: ghcr.io/me/private\n"
                + "registry_auth: {username: me, password: \"${{ secrets.GHCR }}\"}\n");
        ImageInspector registry = (image, auth) -> {
            assertThat(auth.password()).isEqualTo("ghp_secret");
            return new ImageInspector.ImageConfig(List.of("/entry.sh"), List.of("serve", "--port", "80"), "app:app",
                    Set.of(CpuArch.ARM));
        };

        JobSpec job = new JobSpecFactory(JobDefaults.DSTACK, registry).jobSpecs(spec, Map.of("GHCR", "ghp_secret"), 0, null).get(0);

        assertThat(job.commands()).containsExactly("/entry.sh", "serve", "--port", "80");
        assertThat(job.user()).isEqualTo(new UnixUser(null, null, "app", "app"));
        assertThat(job.requirements().resources().cpu().arch()).isEqualTo(CpuArch.ARM);
        assertThat(job.registryAuth().password()).isEqualTo("${{ secrets.GHCR }}");
        JobSpec withoutRegistry = factory.jobSpecs(spec, Map.of(), 0, null).get(0);
        assertThat(withoutRegistry.commands()).isEmpty();
    }

    private JobSpec single(String yaml) {
        List<JobSpec> jobs = factory.submissionJobSpecs(Specs.submitted("train", yaml), Map.of());
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }
}
