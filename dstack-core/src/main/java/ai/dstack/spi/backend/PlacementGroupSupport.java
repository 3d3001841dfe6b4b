package ai.dstack.spi.backend;

/** A backend's placement groups: instances placed close together for {@code placement: cluster}. */
public interface PlacementGroupSupport {

    /** Creates a cluster placement group. */
    PlacementGroupData create(PlacementGroupRequest request);

    /**
     * Deletes the group; deleting one that is already gone succeeds.
     *
     * @return true when it is gone; false while instances still use it: call again later
     */
    boolean delete(PlacementGroupData group);
}
