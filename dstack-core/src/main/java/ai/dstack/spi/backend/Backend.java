package ai.dstack.spi.backend;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One configured cloud backend of one project: offers, instances, and (where the cloud has them) volumes and
 * placement groups. Safe for concurrent use; {@link #close()} releases its HTTP clients.
 *
 * <p>Every instance, security group, key, volume and placement group it creates carries dstack's tags
 * ({@code owner=dstack}, {@code dstack_project}, {@code dstack_name}, {@code dstack_user}, plus the configured
 * {@code tags}), so that {@link #findByTags} finds what a crashed server left half made.
 *
 * <p>Calls that change the cloud are idempotent where the cloud allows it: {@link #terminate} of an instance that is
 * already gone succeeds.
 */
public interface Backend extends AutoCloseable {

    /** dstack's type name, e.g. {@code aws}. */
    String type();

    /**
     * A cheap read call with the configured credentials.
     *
     * @throws BackendException {@link BackendFailure#INVALID_CREDENTIALS} when the cloud refuses them, with the
     *     cloud's words; other failures as they come
     */
    void checkCredentials();

    /**
     * The offers that meet {@code requirements}, cheapest first, each with its availability (whether the cloud has
     * the instance type in the region now, or the account has no quota for it).
     */
    List<InstanceOfferWithAvailability> offers(OfferRequirements requirements);

    /**
     * Creates an instance for {@code offer}. Returns as soon as the cloud accepted the request: the instance is
     * usually still starting, without an address; {@link #poll} it until it runs.
     *
     * @throws BackendException {@link BackendFailure#NO_CAPACITY} when no zone of the offer's region has capacity
     *     (the engine tries the next offer), {@link BackendFailure#QUOTA_EXCEEDED}, or another failure. Whatever was
     *     created before the failure is removed again (or carries the tags, for {@link #findByTags}).
     */
    ProvisioningData createInstance(InstanceOfferWithAvailability offer, InstanceConfiguration configuration);

    /** Where the instance is now; once {@link InstanceStatus.State#RUNNING}, its data carries the address. */
    InstanceStatus poll(ProvisioningData instance);

    /**
     * Terminates the instance and removes what the backend made for it alone (its security group, key pair).
     *
     * @return true when all is gone; false when the cloud is still tearing it down and dependent resources could not
     *     be removed yet: call again later
     */
    boolean terminate(ProvisioningData instance);

    /**
     * What the backend created (instances, security groups, keys, volumes, placement groups) and carries all of
     * {@code tags}, not counting resources already terminated or deleted.
     */
    List<CloudResource> findByTags(Map<String, String> tags);

    /**
     * Removes a resource found by {@link #findByTags}: terminates an instance, deletes anything else.
     *
     * @return true when it is gone; false when it is still in use or being torn down: call again later
     */
    boolean release(CloudResource resource);

    /** Network volumes, where the cloud has them. */
    default Optional<VolumeSupport> volumes() {
        return Optional.empty();
    }

    /** Placement groups for {@code placement: cluster}, where the cloud has them. */
    default Optional<PlacementGroupSupport> placementGroups() {
        return Optional.empty();
    }

    /**
     * Whether instances can use a capacity reservation ({@link InstanceConfiguration#reservation()}); runs and fleets
     * with {@code reservation} get offers only from backends that can.
     */
    default boolean supportsReservations() {
        return false;
    }

    /** Releases the backend's clients; never fails. */
    @Override
    void close();
}
