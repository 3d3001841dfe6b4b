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
     * The volume an earlier {@link #create} of this request made, for a server that stopped while creating it: found
     * by the tags {@code create} gave it ({@code dstack_project}, {@code dstack_name}), once it is usable; empty when
     * the cloud has none (the request never reached it). A backend that cannot search says so with a
     * {@link BackendException}; the volume then fails with its message.
     */
    default java.util.Optional<VolumeData> findCreated(VolumeRequest request) {
        throw new BackendException(BackendFailure.OTHER, "this backend cannot find a volume a stopped server was"
                + " creating (" + request.name() + ")");
    }

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
