package ai.dstack.api.configuration;

/** A directory of the instance mounted at {@code path}; {@code optional} lets runs go where it is not supported. */
public record InstanceMountPoint(String instancePath, String path, boolean optional) implements MountPoint {}
