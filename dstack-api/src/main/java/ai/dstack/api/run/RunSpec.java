package ai.dstack.api.run;

import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.json.internal.Values;
import ai.dstack.api.repo.RunRepoData;
import java.util.List;

/**
 * What to run: a run configuration plus the repo, files and key it runs with. This is what
 * {@code runs/get_plan} and {@code runs/apply} take and what a {@link Run} carries.
 *
 * <pre>{@code
 * RunSpec spec = RunSpec.newBuilder()
 *         .configuration(task)
 *         .configurationPath("train.dstack.yml")
 *         .build();
 * }</pre>
 *
 * @param runName null to let the server pick a name
 * @param repoId null for the default virtual repo ({@code none}); set together with {@code repoData}
 * @param repoCodeHash the sha256 of the uploaded repo diff, or null without a diff
 * @param repoDir the repo path in the container; relative paths are under the working directory
 * @param fileArchives uploaded archives and where they go; empty when absent
 * @param workingDir ignored since dstack 0.19.27 (the configuration's {@code working_dir} counts); kept for old clients
 * @param configurationPath the configuration file, for display; null when built in code
 * @param configuration required by dstack
 * @param profile the profile parameters, or null; the configuration's own profile fields win over these
 * @param sshKeyPub the public key to connect to the run with; null makes the server use the user's key
 */
public record RunSpec(
        String runName,
        String repoId,
        RunRepoData repoData,
        String repoCodeHash,
        String repoDir,
        List<FileArchiveMapping> fileArchives,
        String workingDir,
        String configurationPath,
        RunConfiguration configuration,
        Profile profile,
        String sshKeyPub) {
    public RunSpec {
        fileArchives = Values.list(fileArchives);
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .runName(runName)
                .repoId(repoId)
                .repoData(repoData)
                .repoCodeHash(repoCodeHash)
                .repoDir(repoDir)
                .fileArchives(fileArchives)
                .workingDir(workingDir)
                .configurationPath(configurationPath)
                .configuration(configuration)
                .profile(profile)
                .sshKeyPub(sshKeyPub);
    }

    /** Builds a {@link RunSpec}; every field starts as dstack's default (null, or empty for file archives). */
    public static final class Builder {
        private String runName;
        private String repoId;
        private RunRepoData repoData;
        private String repoCodeHash;
        private String repoDir;
        private List<FileArchiveMapping> fileArchives = List.of();
        private String workingDir;
        private String configurationPath;
        private RunConfiguration configuration;
        private Profile profile;
        private String sshKeyPub;

        private Builder() {}

        public Builder runName(String runName) {
            this.runName = runName;
            return this;
        }

        public Builder repoId(String repoId) {
            this.repoId = repoId;
            return this;
        }

        public Builder repoData(RunRepoData repoData) {
            this.repoData = repoData;
            return this;
        }

        /** Sets the repo id and its data together, as dstack requires. */
        public Builder repo(String repoId, RunRepoData repoData) {
            return repoId(repoId).repoData(repoData);
        }

        public Builder repoCodeHash(String repoCodeHash) {
            this.repoCodeHash = repoCodeHash;
            return this;
        }

        public Builder repoDir(String repoDir) {
            this.repoDir = repoDir;
            return this;
        }

        public Builder fileArchives(List<FileArchiveMapping> fileArchives) {
            this.fileArchives = fileArchives;
            return this;
        }

        public Builder workingDir(String workingDir) {
            this.workingDir = workingDir;
            return this;
        }

        public Builder configurationPath(String configurationPath) {
            this.configurationPath = configurationPath;
            return this;
        }

        public Builder configuration(RunConfiguration configuration) {
            this.configuration = configuration;
            return this;
        }

        public Builder profile(Profile profile) {
            this.profile = profile;
            return this;
        }

        public Builder sshKeyPub(String sshKeyPub) {
            this.sshKeyPub = sshKeyPub;
            return this;
        }

        public RunSpec build() {
            return new RunSpec(runName, repoId, repoData, repoCodeHash, repoDir, fileArchives, workingDir,
                    configurationPath, configuration, profile, sshKeyPub);
        }
    }
}
