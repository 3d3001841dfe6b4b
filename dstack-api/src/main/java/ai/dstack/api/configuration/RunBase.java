package ai.dstack.api.configuration;

import ai.dstack.api.resources.ResourcesSpec;
import java.util.List;

/** The fields every run configuration (task, service, dev environment) has: image, env, resources, volumes, ... */
public record RunBase(
        String name,
        String image,
        String user,
        boolean privileged,
        String entrypoint,
        String workingDir,
        String homeDir,
        RegistryAuth registryAuth,
        PythonVersion python,
        Boolean nvcc,
        Boolean singleBranch,
        Env env,
        String shell,
        ResourcesSpec resources,
        Integer priority,
        List<MountPoint> volumes,
        Boolean docker,
        List<RepoSpec> repos,
        List<FilePathMapping> files,
        boolean dstack,
        List<String> setup) {
    public static final String DEFAULT_HOME_DIR = "/root";

    public RunBase {
        env = env == null ? Env.EMPTY : env;
        resources = resources == null ? ResourcesSpec.DEFAULT : resources;
        homeDir = homeDir == null ? DEFAULT_HOME_DIR : homeDir;
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        repos = repos == null ? List.of() : List.copyOf(repos);
        files = files == null ? List.of() : List.copyOf(files);
        setup = setup == null ? List.of() : List.copyOf(setup);
    }

    /** A base with only a name: everything else at dstack's defaults. */
    public static RunBase named(String name) {
        return new RunBase(name, null, null, false, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, false, null);
    }
}
