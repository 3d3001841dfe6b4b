package ai.dstack.api.repo;

import java.util.Objects;

/**
 * A repo with the calling user's credentials for it, as {@code repos/get} returns it.
 *
 * @param repoCreds null when the user has none or they were not asked for
 */
public record RepoHeadWithCreds(String repoId, RepoInfo repoInfo, RemoteRepoCreds repoCreds) {
    public RepoHeadWithCreds {
        Objects.requireNonNull(repoId, "repoId is null");
        Objects.requireNonNull(repoInfo, "repoInfo is null");
    }

    public RepoHead head() {
        return new RepoHead(repoId, repoInfo);
    }
}
