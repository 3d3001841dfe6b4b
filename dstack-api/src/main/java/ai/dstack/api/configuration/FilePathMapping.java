package ai.dstack.api.configuration;

/** A local file or directory copied into the job at {@code path}. */
public record FilePathMapping(String localPath, String path) {}
