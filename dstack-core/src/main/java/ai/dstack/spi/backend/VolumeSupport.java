package ai.dstack.spi.backend;

/** A backend's network volumes (EBS, persistent disks, managed disks). */
public interface VolumeSupport {

    /**
     * Creates a volume, or registers an existing one when {@link VolumeRequest#volumeId()} is set (then it is
     * looked up, and never deleted by {@link #delete}).
     *
     * @throws BackendException {@link BackendFailure#NOT_FOUND} for an existing volume that is not there
     */
    VolumeData create(VolumeRequest request);

    /**
     * Attaches the volume to a running instance in the volume's zone.
     *
     * @return the device name the volume appears under on the instance, e.g. {@code /dev/sdf}
     */
    String attach(VolumeData volume, ProvisioningData instance);

    /**
     * Detaches the volume from the instance.
     *
     * @return true when it is detached; false while the cloud is still detaching it: call again later
     */
    boolean detach(VolumeData volume, ProvisioningData instance);

    /**
     * Deletes a volume this backend created; an external one ({@link VolumeData#external()}) is left alone.
     * Deleting a volume that is already gone succeeds.
     */
    void delete(VolumeData volume);
}
