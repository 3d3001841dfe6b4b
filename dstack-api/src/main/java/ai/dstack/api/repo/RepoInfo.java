package ai.dstack.api.repo;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/** What a project knows of a repo, told apart by {@code repo_type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "repo_type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RepoInfo.Virtual.class, name = "virtual"),
    @JsonSubTypes.Type(value = RepoInfo.Local.class, name = "local"),
    @JsonSubTypes.Type(value = RepoInfo.Remote.class, name = "remote"),
})
public sealed interface RepoInfo {
    /** {@code virtual}, {@code local} or {@code remote}. */
    String repoType();

    record Virtual() implements RepoInfo {
        @Override
        public String repoType() {
            return "virtual";
        }
    }

    record Local(String repoDir) implements RepoInfo {
        public Local {
            Objects.requireNonNull(repoDir, "repoDir is null");
        }

        @Override
        public String repoType() {
            return "local";
        }
    }

    record Remote(String repoName) implements RepoInfo {
        public Remote {
            Objects.requireNonNull(repoName, "repoName is null");
        }

        @Override
        public String repoType() {
            return "remote";
        }
    }
}
