package ai.dstack.api.configuration;

/** A Git repo (a local directory or a URL) to make available in the job at {@code path}. */
public record RepoSpec(String localPath, String url, String branch, String hash, String path, RepoExistsAction ifExists) {}
