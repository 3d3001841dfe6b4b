package ai.dstack.api.repo;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * The repo a run uses, told apart by {@code repo_type}: {@link Virtual} (no repo, or files added in code),
 * {@link Local} (a local directory, deprecated) or {@link Remote} (a Git repo; its uncommitted diff is uploaded
 * separately and named by the run spec's {@code repo_code_hash}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "repo_type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunRepoData.Virtual.class, name = "virtual"),
    @JsonSubTypes.Type(value = RunRepoData.Local.class, name = "local"),
    @JsonSubTypes.Type(value = RunRepoData.Remote.class, name = "remote"),
})
public sealed interface RunRepoData {
    /** {@code virtual}, {@code local} or {@code remote}. */
    String repoType();

    /** The repo data of runs without a repo. */
    static RunRepoData virtual() {
        return new Virtual();
    }

    record Virtual() implements RunRepoData {
        @Override
        public String repoType() {
            return "virtual";
        }
    }

    record Local(String repoDir) implements RunRepoData {
        public Local {
            Objects.requireNonNull(repoDir, "repoDir is null");
        }

        @Override
        public String repoType() {
            return "local";
        }
    }

    /**
     * @param repoName the repo's name, the last part of its URL
     * @param repoBranch null for the default branch
     * @param repoHash null for the branch head
     * @param repoConfigName the Git {@code user.name} to commit as, or null
     * @param repoConfigEmail the Git {@code user.email} to commit as, or null
     */
    record Remote(String repoName, String repoBranch, String repoHash, String repoConfigName, String repoConfigEmail)
            implements RunRepoData {
        public Remote {
            Objects.requireNonNull(repoName, "repoName is null");
        }

        @Override
        public String repoType() {
            return "remote";
        }
    }
}
