package ai.dstack.core.internal.placement;

/** What the fleet file asked of an SSH host, kept in {@code instance_configuration}: its blocks, null for auto. */
public record SshInstanceConfig(Integer blocks) {}
