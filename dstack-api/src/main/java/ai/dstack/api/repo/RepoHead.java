package ai.dstack.api.repo;

import java.util.Objects;

/** A repo of a project, as {@code repos/list} returns it. The default virtual repo has id {@code none}. */
public record RepoHead(String repoId, RepoInfo repoInfo) {
    public RepoHead {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(repoInfo, "repoInfo is null");
    }
}
