package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.InstanceStatus;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every cloud {@link Backend} must do, as JUnit 5 tests, on the backend's fake cloud: offers that meet the
 * requirements, cheapest first; an instance that becomes reachable over SSH with the project's key at a loopback
 * address; termination that leaves nothing behind; clean-up by tags. A backend's own test class extends this one:
 *
 * <pre>{@code
 * class MyBackendContractTest extends BackendContract {
 *     protected Backend newBackend() { return MyProvider().create(configurationOnMyFakeCloud(PROJECT)); }
 *     protected OfferRequirements cheapRequirements() { ... }
 *     protected List<String> leftovers() { return fakeCloud.whatIsLeft(); }
 *     protected String projectPublicKey() { return key.publicKey(); }
 *     protected void assertReachable(ProvisioningData running) { ... log in with the private key ... }
 * }
 * }</pre>
 */
public abstract class BackendContract {
    protected static final String PROJECT = "contract";
    protected Backend backend;

    /** A fresh backend of project {@link #PROJECT} on an empty (fake) cloud account. */
    protected abstract Backend newBackend();

    /** Requirements the fake cloud can satisfy with a small CPU instance. */
    protected abstract OfferRequirements cheapRequirements();

    /** The cloud resources of the account that still exist (instances not terminated, groups, keys, ...). */
    protected abstract List<String> leftovers();

    /** The OpenSSH public key instances are created with (the project's). */
    protected abstract String projectPublicKey();

    /** Logs in to the running instance over SSH with the project's private key; fails when it cannot. */
    protected abstract void assertReachable(ProvisioningData running) throws Exception;

    @BeforeEach
    void makeBackend() {
        backend = newBackend();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void offersMeetTheRequirementsCheapestFirst() {
        OfferRequirements requirements = cheapRequirements();
        List<InstanceOfferWithAvailability> offers = backend.offers(requirements);
        assertThat(offers).isNotEmpty();
        assertThat(offers).allSatisfy(o -> {
            assertThat(o.backend()).isEqualTo(backend.type());
            assertThat(requirements.matches(o.offer())).isTrue();
        });
        assertThat(offers).extracting(InstanceOfferWithAvailability::price).isSorted();
    }

    @Test
    void anInstanceRunsIsReachableOverSshAndLeavesNothingWhenTerminated() throws Exception {
        ProvisioningData created = createCheapest("contract-vm-1");
        ProvisioningData running = waitRunning(created);
        assertThat(InetAddress.getByName(running.hostname()).isLoopbackAddress())
                .as("a fake cloud reports loopback addresses only: %s", running.hostname()).isTrue();
        assertReachable(running);
        terminateFully(running);
        assertThat(leftovers()).isEmpty();
        assertThat(backend.terminate(running)).as("terminating again succeeds").isTrue();
    }

    @Test
    void whatAServerLostTrackOfIsFoundByTagsAndReleased() {
        ProvisioningData created = createCheapest("contract-lost-1");
        Map<String, String> projectTags = Tags.ofProject(PROJECT);
        List<CloudResource> found = backend.findByTags(projectTags);
        assertThat(found).anySatisfy(r -> {
            assertThat(r.kind()).isEqualTo(CloudResource.INSTANCE);
            assertThat(r.id()).isEqualTo(created.instanceId());
            assertThat(r.dstackName()).isEqualTo("contract-lost-1");
        });
        releaseAll(projectTags);
        assertThat(leftovers()).isEmpty();
    }

    protected ProvisioningData createCheapest(String name) {
        InstanceOfferWithAvailability offer = backend.offers(cheapRequirements()).stream()
                .filter(o -> o.availability().isAvailable()).findFirst().orElseThrow();
        return backend.createInstance(offer, configuration(name));
    }

    protected InstanceConfiguration configuration(String name) {
        return new InstanceConfiguration(PROJECT, name, "admin", "run-1", List.of(projectPublicKey()), Map.of(),
                null, null);
    }

    protected ProvisioningData waitRunning(ProvisioningData data) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            InstanceStatus status = backend.poll(data);
            if (status.state() == InstanceStatus.State.RUNNING) {
                return status.data();
            }
            assertThat(status.state()).isEqualTo(InstanceStatus.State.PENDING);
            sleep(100);
        }
        throw new AssertionError("instance " + data.instanceId() + " did not run within 60 s");
    }

    protected void terminateFully(ProvisioningData data) {
        for (int i = 0; i < 50; i++) {
            if (backend.terminate(data)) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("instance " + data.instanceId() + " was not torn down");
    }

    /** Releases everything with the tags, retrying what is still in use, instances first. */
    protected void releaseAll(Map<String, String> tags) {
        for (int round = 0; round < 50; round++) {
            List<CloudResource> left = backend.findByTags(tags);
            if (left.isEmpty()) {
                return;
            }
            left.stream().sorted((a, b) -> Boolean.compare(!a.kind().equals(CloudResource.INSTANCE),
                    !b.kind().equals(CloudResource.INSTANCE))).forEach(backend::release);
            sleep(100);
        }
        throw new AssertionError("still there: " + backend.findByTags(tags));
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
