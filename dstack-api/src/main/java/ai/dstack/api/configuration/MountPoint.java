package ai.dstack.api.configuration;

/** Something mounted into a job's container: a network volume or a path of the instance. */
public sealed interface MountPoint permits VolumeMountPoint, InstanceMountPoint {
    /** The path in the container. */
    String path();
}
