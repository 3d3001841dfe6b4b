package ai.dstack.testing;

import static ai.dstack.testing.StoreRows.T0;
import static ai.dstack.testing.StoreRows.at;
import static ai.dstack.testing.StoreRows.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.BlobRow;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.EventFilter;
import ai.dstack.spi.storage.EventRow;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.EventStore;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.PublicKeyRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.spi.storage.StoreStatistics;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} must do, as JUnit 5 tests. A store's own test class extends this one and says how to
 * get fresh, empty databases; every test here then runs against it:
 *
 * <pre>{@code
 * class MyStoreTest extends StateStoreContract {
 *     protected StateStoreProvider provider() { return new MyStoreProvider(); }
 *     protected String newDatabaseUrl() { return "mydb:" + UUID.randomUUID(); }
 *     protected String dstackStyleUrl(String databaseUrl) { return databaseUrl; }  // no second form
 *     protected String unopenableUrl() { return "mydb://127.0.0.1:1/nothing?password=" + SECRET; }
 * }
 * }</pre>
 *
 * <p>Time is passed explicitly, so lease expiry is tested by moving {@code now}, never by sleeping. Rows come from
 * {@link StoreRows}. Before each test the store holds one user, {@link #alice()}, and her project {@link #main()}.
 */
public abstract class StateStoreContract {
    protected static final Duration LEASE = seconds(30);

    /** A password the {@link #unopenableUrl()} carries, which no message or description may show. */
    protected static final String SECRET = "hunter2";

    /** The store under test, migrated, opened on {@link #databaseUrl}; closed after each test. */
    protected StateStore store;
    /** The URL {@link #store} was opened on. */
    protected String databaseUrl;
    private UserRow alice;
    private ProjectRow main;

    /** The provider under test; each call may return a new instance. */
    protected abstract StateStoreProvider provider();

    /** The URL of a new, empty database, never migrated. */
    protected abstract String newDatabaseUrl() throws Exception;

    /** A new database that may already hold the schema (quicker where migrating is slow); each test starts from one. */
    protected String newMigratedDatabaseUrl() throws Exception {
        return newDatabaseUrl();
    }

    /**
     * The same database as {@code databaseUrl}, written the way dstack's {@code DSTACK_DATABASE_URL} is (for example
     * {@code sqlite+aiosqlite:///...}); {@code databaseUrl} itself for a store that has one form only.
     */
    protected abstract String dstackStyleUrl(String databaseUrl);

    /** A database that cannot be opened, with the password {@link #SECRET} in it where the URL form has one. */
    protected abstract String unopenableUrl() throws Exception;

    /**
     * Called after two stores migrated {@code databaseUrl} at the same time: check here that the schema's history
     * holds every migration once, for a store that keeps one. The default checks nothing more than the test does
     * (both stores then read and write the database).
     */
    protected void assertMigratedOnce(String databaseUrl) throws Exception {}

    /** Opens a store with the {@link #provider()} and default options. */
    protected StateStore open(String url) {
        return provider().open(url);
    }

    /** The user every test starts with. */
    protected UserRow alice() {
        return alice;
    }

    /** Alice's project, which every test starts with. */
    protected ProjectRow main() {
        return main;
    }

    @BeforeEach
    void openMigratedStore() throws Exception {
        databaseUrl = newMigratedDatabaseUrl();
        store = open(databaseUrl);
        store.migrate(); // brings an empty database up to date, or finds nothing to do
        alice = StoreRows.user("alice");
        main = StoreRows.project("main", alice.id());
        store.useTransaction(tx -> {
            tx.users().insert(alice);
            tx.projects().insert(main);
        });
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---------------------------------------------------------------- statistics

    @Test
    public void theStoreCountsItsStatementsAndWriteTransactions() {
        StoreStatistics before = store.statistics();

        store.useTransaction(tx -> {
            tx.users().insert(StoreRows.user("carol"));
            tx.users().insert(StoreRows.user("dave"));
        });
        StoreStatistics afterWrite = store.statistics().minus(before);
        store.inReadOnlyTransaction(tx -> tx.users().findByName("carol"));
        StoreStatistics afterRead = store.statistics().minus(before);

        assertThat(afterWrite.writeTransactions()).isEqualTo(1);
        assertThat(afterWrite.statements()).isGreaterThanOrEqualTo(2);
        assertThat(afterRead.writeTransactions()).as("a read is not a write").isEqualTo(1);
        assertThat(afterRead.statements()).isGreaterThan(afterWrite.statements());
    }

    // ---------------------------------------------------------------- aggregates

    @Test
    public void usersAreFoundByIdNameAndTokenHashAndUpdated() {
        UserRow bob = StoreRows.user("bob").toBuilder().email("bob@example.com").sshPublicKey("ssh-rsa B").build();
        store.useTransaction(tx -> tx.users().insert(bob));

        UserRow deactivated =
                bob.toBuilder().active(false).deleted(true).originalName("bob").name("bob-deleted").build();
        boolean updated = store.inTransaction(tx -> tx.users().update(deactivated));

        assertThat(updated).isTrue();
        store.useTransaction(tx -> {
            assertThat(tx.users().find(bob.id())).contains(deactivated);
            assertThat(tx.users().findByName("bob-deleted")).contains(deactivated);
            assertThat(tx.users().findByName("bob")).isEmpty();
            assertThat(tx.users().findByTokenHash("hash-bob")).contains(deactivated);
            assertThat(tx.users().list()).extracting(UserRow::name).containsExactly("alice", "bob-deleted");
            assertThat(tx.users().update(StoreRows.user("nobody"))).isFalse();
        });
    }

    @Test
    public void aTakenUserNameIsResourceExistsAndTheTransactionGoesOn() {
        UserRow second = StoreRows.user("alice").toBuilder().token("other").tokenHash("other").build();
        UserRow carol = StoreRows.user("carol");

        store.useTransaction(tx -> {
            assertThatThrownBy(() -> tx.users().insert(second))
                    .isInstanceOfSatisfying(DstackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS))
                    .hasMessageContaining("alice");
            tx.users().insert(carol);
        });

        assertThat(userNamed(store, "carol")).contains(carol);
    }

    @Test
    public void projectMembersAreReplacedListedAndRemoved() {
        UserRow bob = StoreRows.user("bob");
        ProjectRow other = StoreRows.project("other", bob.id());
        store.useTransaction(tx -> {
            tx.users().insert(bob);
            tx.projects().insert(other);
            tx.projects().addMember(StoreRows.member(main.id(), alice.id(), "admin", 0));
        });

        MemberRow bobInMain = StoreRows.member(main.id(), bob.id(), "user", 0);
        MemberRow aliceInMain = StoreRows.member(main.id(), alice.id(), "manager", 1);
        store.useTransaction(tx -> {
            tx.projects().replaceMembers(main.id(), List.of(aliceInMain, bobInMain));
            tx.projects().addMember(StoreRows.member(other.id(), bob.id(), "admin", 0));
        });

        store.useTransaction(tx -> {
            assertThat(tx.projects().members(main.id())).containsExactly(bobInMain, aliceInMain);
            assertThat(tx.projects().memberships(bob.id())).extracting(MemberRow::projectId)
                    .containsExactlyInAnyOrder(main.id(), other.id());
            assertThatThrownBy(() -> tx.projects().addMember(StoreRows.member(main.id(), bob.id(), "admin", 2)))
                    .isInstanceOfSatisfying(DstackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS));
            assertThat(tx.projects().removeMember(main.id(), bob.id())).isTrue();
            assertThat(tx.projects().removeMember(main.id(), bob.id())).isFalse();
            assertThat(tx.projects().members(main.id())).containsExactly(aliceInMain);
        });
        ProjectRow renamed = new ProjectRow(main.id(), "main2", alice.id(), T0, true, false, null, "pub", "priv");
        store.useTransaction(tx -> assertThat(tx.projects().update(renamed)).isTrue());
        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.projects().findByName("main2")))
                .contains(renamed);
        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.projects().list()))
                .extracting(ProjectRow::name).containsExactly("main2", "other");
    }

    /**
     * A batch of placements sees one state of the instances it may use: a block given back by another transaction
     * meanwhile lands after the batch, not between two of its jobs.
     */
    @Test
    public void instancesLockedByATransactionKeepTheirBlocksUntilItEnds() throws Exception {
        FleetRow fleet = StoreRows.fleet(main.id(), "lab", "active", T0);
        InstanceRow instance = StoreRows.instance(fleet, 0, "busy", T0).toBuilder().totalBlocks(1).busyBlocks(1).build();
        store.useTransaction(tx -> {
            tx.fleets().insert(fleet);
            tx.instances().insert(instance);
        });
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            List<Integer> seen = store.inTransaction(tx -> {
                tx.instances().lockAll(List.of(instance.id()));
                int before = tx.instances().find(instance.id()).orElseThrow().busyBlocks();
                other.submit(() -> {
                    locked.countDown();
                    store.useTransaction(freeing -> freeing.instances().adjustBusyBlocks(instance.id(), -1, at(1)));
                });
                try {
                    locked.await();
                    Thread.sleep(300); // the other transaction's give-back is under way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of(before, tx.instances().find(instance.id()).orElseThrow().busyBlocks());
            });
            assertThat(seen).as("the blocks while the lock is held").containsExactly(1, 1);
            other.shutdown();
            assertThat(other.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.instances().find(instance.id()))
                    .orElseThrow().busyBlocks()).as("given back once the lock went").isZero();
        } finally {
            other.shutdownNow();
        }
    }

    /**
     * Placing and freeing a job moves an instance's busy blocks in one statement; a full-row write made from an
     * older read (a probe, a reachability mark) keeps the count, and idle or busy with it, while its own changes land.
     */
    @Test
    public void aFullRowWriteOfAnInstanceKeepsTheBusyBlocksThatJobsHoldNow() {
        FleetRow fleet = StoreRows.fleet(main.id(), "lab", "active", T0);
        InstanceRow read = StoreRows.instance(fleet, 0, "idle", T0).toBuilder().totalBlocks(2).busyBlocks(0).build();
        store.useTransaction(tx -> {
            tx.fleets().insert(fleet);
            tx.instances().insert(read);
        });
        store.useTransaction(tx -> assertThat(tx.instances().adjustBusyBlocks(read.id(), 1, at(1))).isTrue());

        store.useTransaction(tx -> assertThat(tx.instances().updateIfNotLeased(read.toBuilder().unreachable(true)
                .lastProcessedAt(at(2)).build(), at(2))).isTrue());
        InstanceRow afterStaleIdle = store.inReadOnlyTransaction((StoreTransaction tx) -> tx.instances().find(read.id()))
                .orElseThrow();
        assertThat(afterStaleIdle.busyBlocks()).isEqualTo(1);
        assertThat(afterStaleIdle.status()).isEqualTo("busy");
        assertThat(afterStaleIdle.unreachable()).as("the write's own change").isTrue();

        store.useTransaction(tx -> assertThat(tx.instances().adjustBusyBlocks(read.id(), -1, at(3))).isTrue());
        store.useTransaction(tx -> tx.instances().updateIfNotLeased(afterStaleIdle.toBuilder().unreachable(false)
                .build(), at(4)));
        InstanceRow afterStaleBusy = store.inReadOnlyTransaction((StoreTransaction tx) -> tx.instances().find(read.id()))
                .orElseThrow();
        assertThat(afterStaleBusy.busyBlocks()).isZero();
        assertThat(afterStaleBusy.status()).isEqualTo("idle");

        store.useTransaction(tx -> assertThat(tx.instances().adjustBusyBlocks(read.id(), 2, at(5))).isTrue());
        store.useTransaction(tx -> tx.instances().updateIfNotLeased(afterStaleBusy.toBuilder().status("terminating")
                .build(), at(6)));
        InstanceRow terminating = store.inReadOnlyTransaction((StoreTransaction tx) -> tx.instances().find(read.id()))
                .orElseThrow();
        assertThat(terminating.status()).as("any other status is the write's").isEqualTo("terminating");
        assertThat(terminating.busyBlocks()).isEqualTo(2);
    }

    @Test
    public void volumesAreUniqueByNameWhileNotDeletedChangeByCompareAndSetAndRecordAttachments() {
        FleetRow fleet = StoreRows.fleet(main.id(), "vms", "active", T0);
        InstanceRow vm = StoreRows.instance(fleet, 0, "busy", T0);
        ai.dstack.spi.storage.VolumeRow data = new ai.dstack.spi.storage.VolumeRow(UUID.randomUUID(), main.id(),
                alice.id(), "data", "submitted", null, "{\"type\":\"volume\"}", null, false, T0, T0, false, null,
                false, null);
        store.useTransaction(tx -> {
            tx.fleets().insert(fleet);
            tx.instances().insert(vm);
            tx.volumes().insert(data);
        });
        store.useTransaction(tx -> assertThatThrownBy(() -> tx.volumes().insert(new ai.dstack.spi.storage.VolumeRow(
                UUID.randomUUID(), main.id(), alice.id(), "data", "submitted", null, "{}", null, false, T0, T0, false,
                null, false, null))).isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS)));

        ai.dstack.spi.storage.VolumeRow active = data.withProvisioningData("{\"volume_id\":\"vol-1\"}")
                .withStatus("active", null, at(5));
        store.useTransaction(tx -> {
            assertThat(tx.volumes().update(active, "provisioning")).as("the status moved on").isFalse();
            assertThat(tx.volumes().update(active, "submitted")).isTrue();
            assertThat(tx.volumes().update(active, "submitted")).as("only once").isFalse();
            tx.volumes().attach(new ai.dstack.spi.storage.VolumeAttachmentRow(data.id(), vm.id(), "{\"device_name\":\"/dev/sdf\"}"));
            tx.volumes().attach(new ai.dstack.spi.storage.VolumeAttachmentRow(data.id(), vm.id(), "{\"device_name\":\"/dev/sdg\"}"));
        });
        store.useTransaction(tx -> {
            assertThat(tx.volumes().findByName(main.id(), "data")).contains(active);
            assertThat(tx.volumes().find(data.id())).contains(active);
            assertThat(tx.volumes().attachments(data.id())).extracting(a -> a.attachmentData())
                    .containsExactly("{\"device_name\":\"/dev/sdg\"}");
            assertThat(tx.volumes().attachmentsOfInstance(vm.id())).hasSize(1);
            assertThat(tx.volumes().detach(data.id(), vm.id())).isTrue();
            assertThat(tx.volumes().detach(data.id(), vm.id())).isFalse();
            ai.dstack.spi.storage.VolumeRow used = active.withLastJobProcessedAt(at(7));
            assertThat(tx.volumes().update(used, "active")).isTrue();
            assertThat(tx.volumes().find(data.id())).contains(used);
            assertThat(tx.volumes().update(active.deletedAt(at(9)), "active")).isTrue();
        });
        store.useTransaction(tx -> {
            assertThat(tx.volumes().findByName(main.id(), "data")).isEmpty();
            assertThat(tx.volumes().listByProject(main.id())).isEmpty();
            assertThat(tx.volumes().listAll()).isEmpty();
            assertThat(tx.volumes().find(data.id())).get().extracting(v -> v.deleted()).isEqualTo(true);
            // a deleted volume's name can be used again
            tx.volumes().insert(new ai.dstack.spi.storage.VolumeRow(UUID.randomUUID(), main.id(), alice.id(), "data",
                    "submitted", null, "{}", null, true, T0, T0, false, null, false, null));
            assertThat(tx.volumes().listAll()).extracting(v -> v.name()).containsExactly("data");
        });
    }

    @Test
    public void backendsReposAndSecretsAreUniqueWithinAProjectOnly() {
        UserRow bob = StoreRows.user("bob");
        ProjectRow other = StoreRows.project("other", bob.id());
        BackendRow aws =
                new BackendRow(UUID.randomUUID(), main.id(), "aws", "{\"regions\":[]}", "{\"k\":1}", null, null);
        RepoRow repo = new RepoRow(UUID.randomUUID(), main.id(), "my-repo", "remote", "{\"repo_name\":\"x\"}", null);
        SecretRow token = new SecretRow(UUID.randomUUID(), main.id(), "HF_TOKEN", "hf_abc", T0, T0);
        store.useTransaction(tx -> {
            tx.users().insert(bob);
            tx.projects().insert(other);
            tx.backends().insert(aws);
            tx.repos().insert(repo);
            tx.secrets().insert(token);
            tx.backends().insert(new BackendRow(UUID.randomUUID(), other.id(), "aws", "{}", "{}", null, null));
            tx.secrets().insert(new SecretRow(UUID.randomUUID(), other.id(), "HF_TOKEN", "other", T0, T0));
        });

        store.useTransaction(tx -> {
            assertThatThrownBy(() -> tx.backends().insert(
                    new BackendRow(UUID.randomUUID(), main.id(), "aws", "{}", "{}", null, null)))
                    .isInstanceOfSatisfying(DstackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS));
            assertThatThrownBy(() -> tx.secrets().insert(
                    new SecretRow(UUID.randomUUID(), main.id(), "HF_TOKEN", "x", T0, T0)))
                    .isInstanceOf(DstackException.class);
            assertThatThrownBy(() -> tx.repos().insert(
                    new RepoRow(UUID.randomUUID(), main.id(), "my-repo", "local", "{}", null)))
                    .isInstanceOf(DstackException.class);
        });

        SecretRow rotated = new SecretRow(token.id(), main.id(), "HF_TOKEN", "hf_new", T0, at(10));
        BackendRow awsWithSource = new BackendRow(aws.id(), main.id(), "aws", "{}", "{}", "{\"src\":1}", "{\"a\":2}");
        store.useTransaction(tx -> {
            assertThat(tx.secrets().update(rotated)).isTrue();
            assertThat(tx.backends().update(awsWithSource)).isTrue();
        });
        store.useTransaction(tx -> {
            assertThat(tx.secrets().find(main.id(), "HF_TOKEN")).contains(rotated);
            assertThat(tx.secrets().find(other.id(), "HF_TOKEN")).get().extracting(SecretRow::value).isEqualTo("other");
            assertThat(tx.backends().find(main.id(), "aws")).contains(awsWithSource);
            assertThat(tx.backends().list(main.id())).containsExactly(awsWithSource);
            assertThat(tx.repos().find(main.id(), "my-repo")).contains(repo);
            assertThat(tx.repos().list(main.id())).containsExactly(repo);
            assertThat(tx.secrets().delete(main.id(), "HF_TOKEN")).isTrue();
            assertThat(tx.backends().delete(main.id(), "aws")).isTrue();
            assertThat(tx.repos().delete(main.id(), "my-repo")).isTrue();
            assertThat(tx.repos().delete(main.id(), "my-repo")).isFalse();
            assertThat(tx.secrets().list(main.id())).isEmpty();
            assertThat(tx.secrets().list(other.id())).hasSize(1);
        });
    }

    @Test
    public void runsJobsFleetsAndInstancesKeepEveryColumn() {
        RepoRow repo = new RepoRow(UUID.randomUUID(), main.id(), "none", "virtual", "{}", null);
        FleetRow fleet = StoreRows.fullFleet(main.id());
        InstanceRow instance = StoreRows.fullInstance(fleet, UUID.randomUUID());
        RunRow run = StoreRows.fullRun(main.id(), alice.id(), repo.id(), fleet.id());
        JobRow job = StoreRows.fullJob(run, fleet.id(), instance.id());
        store.useTransaction(tx -> {
            tx.repos().insert(repo);
            tx.fleets().insert(fleet);
            tx.instances().insert(instance);
            tx.runs().insert(run);
            tx.jobs().insert(job);
        });

        store.useTransaction(tx -> {
            assertThat(tx.runs().find(run.id())).contains(run);
            assertThat(tx.jobs().find(job.id())).contains(job);
            assertThat(tx.fleets().find(fleet.id())).contains(fleet);
            assertThat(tx.instances().find(instance.id())).contains(instance);
            assertThat(tx.jobs().listByInstance(instance.id())).containsExactly(job);
            assertThat(tx.runs().listByFleet(fleet.id())).containsExactly(run);
        });
        assertThat(run.submittedAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00.123456Z"));
    }

    @Test
    public void runsAreFoundByNameAndListedNewestFirst() {
        RunRow old = StoreRows.run(main.id(), alice.id(), "train", "done", at(0));
        RunRow deleted = StoreRows.run(main.id(), alice.id(), "train", "failed", at(0)).toBuilder()
                .submittedAt(at(20)).deleted(true).build();
        RunRow current = StoreRows.run(main.id(), alice.id(), "train", "running", at(0)).toBuilder()
                .submittedAt(at(10)).build();
        RunRow serve = StoreRows.run(main.id(), alice.id(), "serve", "running", at(0)).toBuilder()
                .submittedAt(at(5)).build();
        store.useTransaction(tx -> List.of(old, deleted, current, serve).forEach(tx.runs()::insert));

        store.useTransaction(tx -> {
            assertThat(tx.runs().findByName(main.id(), "train")).contains(current);
            assertThat(tx.runs().findByName(main.id(), "nope")).isEmpty();
            assertThat(tx.runs().listByProject(main.id(), false, 10)).containsExactly(current, serve, old);
            assertThat(tx.runs().listByProject(main.id(), true, 2)).containsExactly(deleted, current);
        });
    }

    @Test
    public void jobsOfARunAreListedByReplicaJobAndSubmission() {
        RunRow run = StoreRows.run(main.id(), alice.id(), "train", "running", T0);
        JobRow master = StoreRows.job(run, 0, "running", T0);
        JobRow worker = StoreRows.job(run, 1, "failed", T0);
        JobRow workerRetry = worker.toBuilder().id(UUID.randomUUID()).submissionNum(1).status("running").build();
        JobRow replica1 = master.toBuilder().id(UUID.randomUUID()).replicaNum(1).build();
        store.useTransaction(tx -> {
            tx.runs().insert(run);
            List.of(replica1, workerRetry, worker, master).forEach(tx.jobs()::insert);
        });

        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.jobs().listByRun(run.id())))
                .containsExactly(master, worker, workerRetry, replica1);
    }

    @Test
    public void severalRunsAreReadByIdAtOnceWithOrWithoutTheirLock() {
        RunRow train = StoreRows.run(main.id(), alice.id(), "train", "running", T0);
        RunRow serve = StoreRows.run(main.id(), alice.id(), "serve", "submitted", T0);
        RunRow other = StoreRows.run(main.id(), alice.id(), "other", "submitted", T0);
        store.useTransaction(tx -> List.of(train, serve, other).forEach(tx.runs()::insert));
        List<UUID> asked = List.of(serve.id(), UUID.randomUUID(), train.id(), serve.id());

        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.runs().findAll(asked)))
                .containsExactlyInAnyOrder(train, serve);
        assertThat(store.inTransaction((StoreTransaction tx) -> tx.runs().findAllForUpdate(asked)))
                .containsExactlyInAnyOrder(train, serve);
        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.runs().findAll(List.of()))).isEmpty();
    }

    // ---------------------------------------------------------------- job metrics and events

    private static JobMetricsPointRow point(JobRow job, long timestampMicro) {
        return new JobMetricsPointRow(UUID.randomUUID(), job.id(), timestampMicro, timestampMicro / 2, 1000, 800, 4,
                1L << 34, "[85899345920]", "[1024]", "[" + (timestampMicro % 100) + "]");
    }

    @Test
    public void metricsPointsAreListedNewestFirstWithinBoundsAndPrunedByJobStatus() {
        RunRow run = StoreRows.run(main.id(), alice.id(), "train", "running", T0);
        JobRow running = StoreRows.job(run, 0, "running", T0);
        JobRow done = StoreRows.job(run, 1, "done", T0);
        List<JobMetricsPointRow> points = new ArrayList<>();
        for (long t = 1; t <= 5; t++) {
            points.add(point(running, t * 1_000_000));
            points.add(point(done, t * 1_000_000 + 7));
        }
        store.useTransaction(tx -> {
            tx.runs().insert(run);
            tx.jobs().insert(running);
            tx.jobs().insert(done);
            points.forEach(tx.metrics()::insert);
        });

        store.useTransaction(tx -> {
            assertThat(tx.metrics().list(running.id(), null, null, 2))
                    .containsExactly(points.get(8), points.get(6));
            assertThat(tx.metrics().list(running.id(), 1_000_000L, 4_000_000L, 10))
                    .containsExactly(points.get(4), points.get(2));
            assertThat(tx.metrics().latest(List.of(running.id(), done.id(), UUID.randomUUID())))
                    .containsOnlyKeys(running.id(), done.id())
                    .containsEntry(running.id(), points.get(8)).containsEntry(done.id(), points.get(9));
            assertThat(tx.metrics().latest(List.of())).isEmpty();
            // More ids than PostgreSQL binds in one statement (65,535): every active job of a busy server.
            List<UUID> many = new ArrayList<>(List.of(running.id()));
            while (many.size() < 70_000) {
                many.add(UUID.randomUUID());
            }
            many.add(done.id());
            assertThat(tx.metrics().latest(many)).containsOnlyKeys(running.id(), done.id());
        });

        int firstChunk = store.inTransaction(tx -> tx.metrics().deleteOlderThan(3_000_000, List.of("running"), 1));
        int rest = store.inTransaction(tx -> tx.metrics().deleteOlderThan(3_000_000, List.of("running"), 10));
        assertThat(firstChunk).isEqualTo(1);
        assertThat(rest).isEqualTo(1);
        store.useTransaction(tx -> {
            assertThat(tx.metrics().list(running.id(), null, null, 10)).hasSize(3);
            assertThat(tx.metrics().list(done.id(), null, null, 10)).hasSize(5);
        });
        assertThatThrownBy(() -> store.useTransaction(tx -> tx.metrics().insert(point(
                StoreRows.job(run, 2, "running", T0), 1))))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS));
    }

    @Test
    public void eventsAreFilteredPagedAndPruned() {
        ProjectRow other = StoreRows.project("other", alice.id());
        RunRow run = StoreRows.run(main.id(), alice.id(), "train", "running", T0);
        JobRow job = StoreRows.job(run, 0, "running", T0);
        FleetRow fleet = StoreRows.fleet(other.id(), "gpu", "active", T0);
        InstanceRow instance = StoreRows.instance(fleet, 0, "idle", T0);
        EventRow.Target runTarget = new EventRow.Target("run", main.id(), run.id(), "train");
        EventRow.Target jobTarget = new EventRow.Target("job", main.id(), job.id(), "train-0-0");
        EventRow.Target instanceTarget = new EventRow.Target("instance", other.id(), instance.id(), "gpu-0");
        EventRow.Target userTarget = new EventRow.Target("user", null, alice.id(), "alice");
        EventRow submitted = new EventRow(UUID.randomUUID(), "Run submitted. Status: SUBMITTED", at(1), alice.id(),
                List.of(runTarget));
        EventRow jobCreated = new EventRow(UUID.randomUUID(), "Job created on run submission. Status: SUBMITTED", at(1),
                null, List.of(jobTarget));
        EventRow assigned = new EventRow(UUID.randomUUID(), "Job assigned to instance", at(2), null,
                List.of(jobTarget, instanceTarget));
        EventRow userCreated = new EventRow(UUID.randomUUID(), "User created", at(3), null, List.of(userTarget));
        store.useTransaction(tx -> {
            tx.projects().insert(other);
            tx.runs().insert(run);
            tx.jobs().insert(job);
            tx.fleets().insert(fleet);
            tx.instances().insert(instance);
            List.of(submitted, jobCreated, assigned, userCreated).forEach(tx.events()::insert);
        });
        // Events at the same time are ordered by id, as the paging key is (recorded_at, id).
        List<EventRow> atOne = new ArrayList<>(List.of(submitted, jobCreated));
        List<EventRow> all = store.inReadOnlyTransaction((StoreTransaction tx) -> tx.events().list(EventFilter.all(100, true)));
        assertThat(all).hasSize(4);
        assertThat(all.subList(0, 2)).containsExactlyInAnyOrderElementsOf(atOne);
        assertThat(all.subList(2, 4)).containsExactly(assigned, userCreated);
        EventRow first = all.get(0);
        EventRow second = all.get(1);

        store.useTransaction(tx -> {
            EventStore events = tx.events();
            assertThat(events.list(EventFilter.all(2, false))).containsExactly(userCreated, assigned);
            assertThat(events.list(EventFilter.all(10, true).after(first.recordedAt(), first.id())))
                    .containsExactly(second, assigned, userCreated);
            assertThat(events.list(EventFilter.all(10, false).after(assigned.recordedAt(), assigned.id())))
                    .containsExactly(second, first);
            assertThat(events.list(EventFilter.all(10, true).withTargets("job", List.of(job.id()))))
                    .containsExactly(jobCreated, assigned);
            assertThat(events.list(EventFilter.all(10, true).withinRuns(List.of(run.id()))))
                    .containsExactlyInAnyOrder(submitted, jobCreated, assigned);
            assertThat(events.list(EventFilter.all(10, true).withinFleets(List.of(fleet.id()))))
                    .containsExactly(assigned);
            assertThat(events.list(EventFilter.all(10, true).withinProjects(List.of(main.id()))))
                    .containsExactlyInAnyOrder(submitted, jobCreated, assigned);
            assertThat(events.list(EventFilter.all(10, true).includeTargetTypes(List.of("user", "instance"))))
                    .containsExactly(assigned, userCreated);
            assertThat(events.list(EventFilter.all(10, true).actors(List.of(alice.id()))))
                    .containsExactly(submitted);
            assertThat(events.list(EventFilter.all(10, true).actors(java.util.Arrays.asList((UUID) null))))
                    .containsExactlyInAnyOrder(jobCreated, assigned, userCreated);
            assertThat(events.list(EventFilter.all(10, true).visibleTo(List.of(other.id()), alice.id())))
                    .containsExactly(assigned, userCreated);
            assertThat(events.list(EventFilter.all(10, true).visibleTo(List.of(), UUID.randomUUID()))).isEmpty();
        });

        int pruned = store.inTransaction(tx -> tx.events().deleteOlderThan(at(2)));
        assertThat(pruned).isEqualTo(2);
        List<EventRow> left = store.inReadOnlyTransaction((StoreTransaction tx) -> tx.events().list(EventFilter.all(10, true)));
        assertThat(left).containsExactly(assigned, userCreated);
    }

    @Test
    public void fleetsAndInstancesHideDeletedOnes() {
        FleetRow fleet = StoreRows.fleet(main.id(), "gpu", "active", T0);
        FleetRow gone = StoreRows.fleet(main.id(), "gpu", "terminated", T0).toBuilder().deleted(true).build();
        InstanceRow first = StoreRows.instance(fleet, 0, "idle", T0);
        InstanceRow second = StoreRows.instance(fleet, 1, "busy", T0);
        InstanceRow terminated = StoreRows.instance(fleet, 2, "terminated", T0).toBuilder().deleted(true).build();
        store.useTransaction(tx -> {
            tx.fleets().insert(gone);
            tx.fleets().insert(fleet);
            List.of(terminated, second, first).forEach(tx.instances()::insert);
        });

        store.useTransaction(tx -> {
            assertThat(tx.fleets().findByName(main.id(), "gpu")).contains(fleet);
            assertThat(tx.fleets().listByProject(main.id())).containsExactly(fleet);
            assertThat(tx.instances().listByFleet(fleet.id())).containsExactly(first, second);
            assertThat(tx.instances().listByProject(main.id())).containsExactlyInAnyOrder(first, second);
        });
    }

    @Test
    public void aRowReferringToAMissingOneIsResourceNotExists() {
        RunRow orphan = StoreRows.run(UUID.randomUUID(), alice.id(), "orphan", "submitted", T0);

        assertThatThrownBy(() -> store.useTransaction(tx -> tx.runs().insert(orphan)))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS));
    }

    @Test
    public void aThrowingCallbackRollsEverythingBack() {
        RunRow run = StoreRows.run(main.id(), alice.id(), "train", "submitted", T0);

        assertThatThrownBy(() -> store.useTransaction(tx -> {
            tx.runs().insert(run);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        assertThat(runById(run.id())).isEmpty();
    }

    @Test
    public void aTransactionCannotEscapeItsCallbackOrNest() {
        AtomicReference<StoreTransaction> escaped = new AtomicReference<>();
        store.useTransaction(escaped::set);

        assertThatThrownBy(() -> escaped.get().users().list()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after its transaction ended");
        assertThatThrownBy(() -> store.useTransaction(tx -> store.useTransaction(inner -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("do not nest");
        assertThatThrownBy(() -> store.useTransaction(
                tx -> store.claimDue(WorkKind.RUNS, ClaimFilter.due(seconds(0), "submitted"), T0, 1, "p", LEASE)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void readOnlyTransactionsCannotWrite() {
        assertThatThrownBy(() -> store.inReadOnlyTransaction(tx -> {
            tx.users().insert(StoreRows.user("mallory"));
            return null;
        })).isInstanceOf(DstackException.class);

        assertThat(store.inReadOnlyTransaction((StoreTransaction tx) -> tx.users().findByName("mallory"))).isEmpty();
    }

    // ---------------------------------------------------------------- claims and leases

    @Test
    public void claimDueTakesDueUndeletedRowsOldestFirstAndClearsTheSkipFlag() {
        RunRow oldest = run("oldest", "submitted", at(0));
        RunRow older = run("older", "running", at(10));
        RunRow recent = run("recent", "submitted", at(98));
        RunRow hinted = run("hinted", "submitted", at(99)).toBuilder().skipMinProcessingInterval(true).build();
        RunRow finished = run("finished", "done", at(0));
        RunRow deleted = run("deleted", "submitted", at(0)).toBuilder().deleted(true).build();
        store.useTransaction(
                tx -> List.of(recent, finished, hinted, older, deleted, oldest).forEach(tx.runs()::insert));

        // submitted: due 5 s after processing; running: 20 s. At t=100, "recent" (t=98) is not due yet.
        ClaimFilter filter = ClaimFilter.due(seconds(5), "submitted").or(seconds(20), "running");
        List<Claim<RunRow>> claims = store.claimDue(WorkKind.RUNS, filter, at(100), 10, "RunPipeline", LEASE);

        assertThat(claims).extracting(c -> c.row().runName()).containsExactly("oldest", "older", "hinted");
        assertThat(claims).allSatisfy(c -> {
            assertThat(c.recovered()).isFalse();
            assertThat(c.lease().owner()).isEqualTo("RunPipeline");
            assertThat(c.lease().expiresAt()).isEqualTo(StoreRows.micros(at(100).plus(LEASE)));
            assertThat(c.lease().id()).isEqualTo(c.row().id());
        });
        assertThat(claims.get(2).row().skipMinProcessingInterval()).isFalse();
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(100), 10, "RunPipeline", LEASE)).isEmpty();
    }

    @Test
    public void claimDueHonoursTheLimit() {
        for (int i = 0; i < 5; i++) {
            insert(run("r" + i, "submitted", at(i)));
        }
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");

        assertThat(store.claimDue(WorkKind.RUNS, filter, at(100), 2, "p", LEASE))
                .extracting(c -> c.row().runName()).containsExactly("r0", "r1");
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(100), 2, "p", LEASE))
                .extracting(c -> c.row().runName()).containsExactly("r2", "r3");
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(100), 0, "p", LEASE)).isEmpty();
    }

    @Test
    public void everyKindCanBeClaimed() {
        RunRow run = run("train", "submitted", T0);
        FleetRow fleet = StoreRows.fleet(main.id(), "f", "active", T0);
        InstanceRow instance = StoreRows.instance(fleet, 0, "idle", T0);
        JobRow job = StoreRows.job(run, 0, "submitted", T0);
        store.useTransaction(tx -> {
            tx.runs().insert(run);
            tx.fleets().insert(fleet);
            tx.instances().insert(instance);
            tx.jobs().insert(job);
        });

        assertThat(claimAll(WorkKind.JOBS, "submitted")).extracting(Claim::row).containsExactly(job);
        assertThat(claimAll(WorkKind.FLEETS, "active")).extracting(Claim::row).containsExactly(fleet);
        assertThat(claimAll(WorkKind.INSTANCES, "idle")).extracting(Claim::row).containsExactly(instance);
        assertThat(claimAll(WorkKind.RUNS, "submitted")).extracting(Claim::row).containsExactly(run);
    }

    @Test
    public void aLeasedRowIsNotClaimedAgainUntilItsLeaseExpires() {
        RunRow run = insert(run("train", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        Claim<RunRow> first = store.claimDue(WorkKind.RUNS, filter, at(0), 10, "RunPipeline", LEASE).get(0);

        assertThat(store.claimDue(WorkKind.RUNS, filter, at(29), 10, "RunPipeline", LEASE)).isEmpty();
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(29), 10, "OtherPipeline", LEASE)).isEmpty();
        assertThat(store.claim(WorkKind.RUNS, run.id(), at(29), "api", LEASE)).isEmpty();

        // The first owner died: once its lease expires anyone may take the row, and is told it is a recovery.
        List<Claim<RunRow>> second = store.claimDue(WorkKind.RUNS, filter, at(31), 10, "OtherPipeline", LEASE);
        assertThat(second).singleElement().satisfies(c -> {
            assertThat(c.row().id()).isEqualTo(run.id());
            assertThat(c.recovered()).isTrue();
            assertThat(c.lease().token()).isNotEqualTo(first.lease().token());
        });
    }

    @Test
    public void updateAndReleaseWritesTheResultAndLetsTheRowGoUnlessTheTokenIsStale() {
        RunRow run = insert(run("train", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        Lease stale = store.claimDue(WorkKind.RUNS, filter, at(0), 1, "RunPipeline", LEASE).get(0).lease();
        Lease current = store.claimDue(WorkKind.RUNS, filter, at(31), 1, "RunPipeline", LEASE).get(0).lease();
        RunRow staleResult = run.toBuilder().status("failed").lastProcessedAt(at(40)).build();
        RunRow currentResult = run.toBuilder().status("provisioning").lastProcessedAt(at(41)).build();

        store.useTransaction(tx -> {
            assertThat(tx.runs().updateAndRelease(staleResult, stale)).isFalse();
            assertThat(tx.leases().holds(current)).as("a stale token releases nothing").isTrue();
            assertThat(tx.runs().updateAndRelease(currentResult, current)).isTrue();
            assertThat(tx.leases().holds(current)).as("released").isFalse();
        });

        assertThat(runById(run.id())).contains(currentResult);
        assertThat(store.claim(WorkKind.RUNS, run.id(), at(42), "api", LEASE)).as("free at once, before expiry")
                .isPresent();
    }

    @Test
    public void aStaleTokenCannotWriteHeartbeatOrRelease() {
        RunRow run = insert(run("train", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        Lease stale = store.claimDue(WorkKind.RUNS, filter, at(0), 1, "RunPipeline", LEASE).get(0).lease();
        Lease current = store.claimDue(WorkKind.RUNS, filter, at(31), 1, "RunPipeline", LEASE).get(0).lease();

        RunRow staleResult = run.toBuilder().status("failed").lastProcessedAt(at(40)).build();
        RunRow currentResult = run.toBuilder().status("provisioning").lastProcessedAt(at(41)).build();
        store.useTransaction(tx -> {
            assertThat(tx.runs().update(staleResult, stale)).isFalse();
            assertThat(tx.leases().holds(stale)).isFalse();
            assertThat(tx.leases().release(stale)).isFalse();
            assertThat(tx.leases().holds(current)).isTrue();
            assertThat(tx.runs().update(currentResult, current)).isTrue();
        });
        assertThat(store.heartbeat(List.of(stale, current), at(45), LEASE))
                .containsExactly(current.withExpiresAt(at(45).plus(LEASE)));
        assertThat(runById(run.id())).contains(currentResult);

        store.useTransaction(tx -> assertThat(tx.leases().release(current)).isTrue());
        ClaimFilter provisioning = ClaimFilter.due(seconds(0), "provisioning");
        assertThat(store.claimDue(WorkKind.RUNS, provisioning, at(46), 1, "Other", LEASE))
                .singleElement().satisfies(c -> assertThat(c.recovered()).isFalse());
    }

    @Test
    public void aHeartbeatKeepsTheRowPastItsFirstExpiry() {
        insert(run("train", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        Lease lease = store.claimDue(WorkKind.RUNS, filter, at(0), 1, "RunPipeline", LEASE).get(0).lease();

        List<Lease> renewed = store.heartbeat(List.of(lease), at(20), LEASE);

        assertThat(renewed).singleElement().extracting(Lease::expiresAt).isEqualTo(StoreRows.micros(at(50)));
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(40), 1, "Other", LEASE)).isEmpty();
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(51), 1, "Other", LEASE)).hasSize(1);
    }

    /** A heartbeat of hundreds of leases (more than one statement's worth) renews each current one, no released one. */
    @Test
    public void aHeartbeatOfManyLeasesRenewsEveryCurrentOneAndNoReleasedOne() {
        int count = 450;
        for (int i = 0; i < count; i++) {
            insert(run("train-" + i, "submitted", T0));
        }
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        List<Lease> leases = store.claimDue(WorkKind.RUNS, filter, at(0), count, "RunPipeline", LEASE).stream()
                .map(Claim::lease).toList();
        assertThat(leases).hasSize(count);
        List<Lease> released = List.of(leases.get(3), leases.get(250), leases.get(449));
        store.useTransaction(tx -> released.forEach(lease -> assertThat(tx.leases().release(lease)).isTrue()));

        List<Lease> renewed = store.heartbeat(leases, at(20), LEASE);

        assertThat(renewed).containsExactlyInAnyOrderElementsOf(leases.stream().filter(l -> !released.contains(l))
                .map(l -> l.withExpiresAt(at(20).plus(LEASE))).toList());
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(40), count, "Other", LEASE)).extracting(c -> c.lease().id())
                .containsExactlyInAnyOrderElementsOf(released.stream().map(Lease::id).toList());
    }

    @Test
    public void aRequeuedRowStaysWithItsOwner() {
        RunRow run = insert(run("train", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        Lease lease = store.claimDue(WorkKind.RUNS, filter, at(0), 1, "RunPipeline", LEASE).get(0).lease();

        store.useTransaction(tx -> assertThat(tx.leases().requeue(lease, at(1))).isTrue());

        assertThat(store.claimDue(WorkKind.RUNS, filter, at(2), 1, "JobPipeline", LEASE)).isEmpty();
        assertThat(store.claimDue(WorkKind.RUNS, ClaimFilter.due(seconds(5), "submitted"), at(2), 1, "RunPipeline",
                LEASE)).isEmpty();
        assertThat(store.claimDue(WorkKind.RUNS, filter, at(2), 1, "RunPipeline", LEASE))
                .singleElement().satisfies(c -> {
                    assertThat(c.row().id()).isEqualTo(run.id());
                    assertThat(c.row().lastProcessedAt()).isEqualTo(StoreRows.micros(at(1)));
                });
    }

    @Test
    public void apiWritesWaitForTheLeaseOrTakeTheRowThemselves() {
        RunRow run = insert(run("train", "running", T0));
        Lease pipeline = store.claimDue(WorkKind.RUNS, ClaimFilter.due(seconds(0), "running"), at(0), 1,
                "RunPipeline", LEASE).get(0).lease();
        RunRow stopping = run.toBuilder().status("terminating").terminationReason("stopped_by_user").build();

        assertThat(writes(tx -> tx.runs().updateIfNotLeased(stopping, at(10)))).isFalse();
        store.useTransaction(tx -> tx.leases().release(pipeline));
        Claim<RunRow> api = store.claim(WorkKind.RUNS, run.id(), at(11), "api", LEASE).orElseThrow();
        assertThat(writes(tx -> tx.runs().updateIfNotLeased(stopping, at(12)))).isFalse();
        store.useTransaction(tx -> {
            assertThat(tx.runs().update(stopping, api.lease())).isTrue();
            tx.leases().release(api.lease());
        });

        assertThat(writes(tx -> tx.runs().updateIfNotLeased(stopping, at(13)))).isTrue();
        assertThat(runById(run.id())).contains(stopping);
        assertThat(store.claim(WorkKind.RUNS, UUID.randomUUID(), at(14), "api", LEASE)).isEmpty();
    }

    @Test
    public void claimAllTakesTheFreeRowsAmongTheIdsWithOneLeaseEach() {
        RunRow free = insert(run("free", "running", T0));
        RunRow other = insert(run("other", "submitted", T0));
        RunRow held = insert(run("held", "running", T0));
        Lease holder = store.claim(WorkKind.RUNS, held.id(), at(0), "api", LEASE).orElseThrow().lease();

        List<Claim<RunRow>> claims = store.claimAll(WorkKind.RUNS,
                List.of(free.id(), held.id(), UUID.randomUUID(), other.id()), at(1), "RunPipeline", LEASE);

        assertThat(claims).extracting(c -> c.row().id()).containsExactlyInAnyOrder(free.id(), other.id());
        assertThat(claims).allSatisfy(c -> assertThat(c.lease().owner()).isEqualTo("RunPipeline"));
        assertThat(store.claimAll(WorkKind.RUNS, List.of(free.id(), other.id()), at(2), "x", LEASE)).isEmpty();
        store.useTransaction(tx -> claims.forEach(c -> tx.leases().release(c.lease())));
        assertThat(store.claimAll(WorkKind.RUNS, List.of(free.id()), at(3), "x", LEASE)).hasSize(1);
        assertThat(store.claimAll(WorkKind.RUNS, List.of(), at(3), "x", LEASE)).isEmpty();
        store.useTransaction(tx -> tx.leases().release(holder));
    }

    @Test
    public void aLeaseForAnotherRowIsRejected() {
        RunRow a = insert(run("a", "submitted", T0));
        RunRow b = insert(run("b", "submitted", T0));
        Lease leaseOfA = store.claim(WorkKind.RUNS, a.id(), at(0), "p", LEASE).orElseThrow().lease();

        assertThatThrownBy(() -> store.useTransaction(tx -> tx.runs().update(b, leaseOfA)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void runsArePagedByKeysetNewestFirstOrOldestFirstWithFilters() {
        UserRow bob = StoreRows.user("bob");
        store.useTransaction(tx -> tx.users().insert(bob));
        List<RunRow> runs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two runs share each instant, so ties are broken by id.
            RunRow run = run("r" + i, i == 3 ? "done" : "running", at(0)).toBuilder().submittedAt(at(i / 2))
                    .userId(i == 5 ? bob.id() : alice.id()).deleted(i == 6).build();
            runs.add(insert(run));
        }
        java.util.Comparator<RunRow> newestFirst = java.util.Comparator.comparing(RunRow::submittedAt).reversed()
                .thenComparing(run -> run.id().toString());
        List<RunRow> expected = runs.stream().sorted(newestFirst).toList();
        ai.dstack.spi.storage.RunPageQuery firstPage =
                new ai.dstack.spi.storage.RunPageQuery(List.of(main.id()), null, false, Set.of("done"), null, null, false, 3);

        List<RunRow> paged = new ArrayList<>();
        for (ai.dstack.spi.storage.RunPageQuery page = firstPage; ; ) {
            ai.dstack.spi.storage.RunPageQuery current = page;
            List<RunRow> read = store.inReadOnlyTransaction(tx -> tx.runs().listPage(current));
            paged.addAll(read);
            if (read.size() < 3) {
                break;
            }
            page = page.after(read.get(read.size() - 1));
        }
        ai.dstack.spi.storage.RunPageQuery oldestFirst = new ai.dstack.spi.storage.RunPageQuery(List.of(main.id()), null,
                false, Set.of(), null, null, true, 100);
        ai.dstack.spi.storage.RunPageQuery activeOfAlice = new ai.dstack.spi.storage.RunPageQuery(List.of(main.id()),
                alice.id(), true, Set.of("done"), null, null, false, 100);
        ai.dstack.spi.storage.RunPageQuery afterAnInstant = new ai.dstack.spi.storage.RunPageQuery(List.of(main.id()), null,
                false, Set.of(), at(2), null, false, 100);

        assertThat(paged).containsExactlyElementsOf(expected);
        List<RunRow> reversed = new ArrayList<>(expected);
        Collections.reverse(reversed);
        List<RunRow> ascending = store.inReadOnlyTransaction(tx -> tx.runs().listPage(oldestFirst));
        List<RunRow> active = store.inReadOnlyTransaction(tx -> tx.runs().listPage(activeOfAlice));
        List<RunRow> older = store.inReadOnlyTransaction(tx -> tx.runs().listPage(afterAnInstant));
        assertThat(ascending).containsExactlyElementsOf(reversed);
        assertThat(active).extracting(RunRow::runName).containsExactlyInAnyOrder("r0", "r1", "r2", "r4");
        assertThat(older).extracting(RunRow::runName).containsExactlyInAnyOrder("r0", "r1", "r2", "r3");
        store.useTransaction(tx -> {
            tx.jobs().insert(StoreRows.job(runs.get(0), 1, "done", at(0)));
            tx.jobs().insert(StoreRows.job(runs.get(0), 0, "done", at(0)));
            tx.jobs().insert(StoreRows.job(runs.get(2), 0, "done", at(0)));
        });
        java.util.Map<UUID, List<JobRow>> jobs =
                store.inReadOnlyTransaction(tx -> tx.jobs().listByRuns(List.of(runs.get(0).id(), runs.get(1).id())));
        assertThat(jobs).containsOnlyKeys(runs.get(0).id(), runs.get(1).id());
        assertThat(jobs.get(runs.get(0).id())).extracting(JobRow::jobNum).containsExactly(0, 1);
        assertThat(jobs.get(runs.get(1).id())).isEmpty();
    }

    @Test
    public void activeRunsAreCountedPerProjectAndUserUpToALimit() {
        UserRow bob = StoreRows.user("bob");
        ProjectRow other = StoreRows.project("other", bob.id());
        store.useTransaction(tx -> {
            tx.users().insert(bob);
            tx.projects().insert(other);
        });
        insert(run("a1", "running", at(0)));
        insert(run("a2", "submitted", at(0)));
        insert(run("a3", "pending", at(0)));
        insert(run("a4", "done", at(0)));
        insert(run("a5", "failed", at(0)));
        insert(run("a6", "running", at(0)).toBuilder().deleted(true).build());
        insert(run("b1", "running", at(0)).toBuilder().userId(bob.id()).build());
        insert(StoreRows.run(other.id(), bob.id(), "c1", "running", at(0)));
        Set<String> finished = Set.of("done", "failed", "terminated");

        assertThat(countActive(main.id(), null, finished, 0)).isEqualTo(4);
        assertThat(countActive(main.id(), alice.id(), finished, 0)).isEqualTo(3);
        assertThat(countActive(main.id(), alice.id(), finished, 2)).isEqualTo(2);
        assertThat(countActive(main.id(), bob.id(), finished, 5)).isEqualTo(1);
        assertThat(countActive(other.id(), null, finished, 100)).isEqualTo(1);
    }

    @Test
    public void jobsWaitingForCapacityGoHighestPriorityFirstThenOldest() {
        RunRow low = insert(run("low", "submitted", T0).toBuilder().priority(0).build());
        RunRow high = insert(run("high", "submitted", T0).toBuilder().priority(10).build());
        RunRow mid = insert(run("mid", "submitted", T0).toBuilder().priority(5).build());
        store.useTransaction(tx -> {
            tx.jobs().insert(StoreRows.job(low, 0, "submitted", at(0)));
            tx.jobs().insert(StoreRows.job(mid, 0, "submitted", at(3)));
            tx.jobs().insert(StoreRows.job(high, 1, "submitted", at(2)));
            tx.jobs().insert(StoreRows.job(high, 0, "submitted", at(1)));
            tx.jobs().insert(StoreRows.job(mid, 1, "running", at(0)));
        });
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted").highestPriorityFirst();

        List<Claim<JobRow>> top = store.claimDue(WorkKind.JOBS, filter, at(100), 3, "JobSubmitted", LEASE);
        List<Claim<JobRow>> rest = store.claimDue(WorkKind.JOBS, filter, at(100), 3, "JobSubmitted", LEASE);

        assertThat(top).extracting(c -> c.row().jobName()).containsExactly("high-0-0", "high-1-0", "mid-0-0");
        assertThat(rest).extracting(c -> c.row().jobName()).containsExactly("low-0-0");
        assertThatThrownBy(() -> store.claimDue(WorkKind.FLEETS, ClaimFilter.due(seconds(0), "active")
                .highestPriorityFirst(), at(100), 1, "p", LEASE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void concurrentClaimersNeverGetTheSameRow() throws Exception {
        int rows = 120;
        store.useTransaction(tx -> {
            for (int i = 0; i < rows; i++) {
                tx.runs().insert(run("r" + i, "submitted", at(i % 7)));
            }
        });
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        ConcurrentLinkedQueue<UUID> claimed = new ConcurrentLinkedQueue<>();

        runConcurrently(8, worker -> () -> {
            List<Claim<RunRow>> batch;
            do {
                batch = store.claimDue(WorkKind.RUNS, filter, at(100), 4, "owner-" + worker, LEASE);
                batch.forEach(c -> claimed.add(c.row().id()));
            } while (!batch.isEmpty());
            return null;
        });

        assertThat(claimed).hasSize(rows).doesNotHaveDuplicates();
    }

    @Test
    public void concurrentTransactionsNeverFail() throws Exception {
        int threads = 16;
        int transactionsPerThread = transactionsPerThreadUnderLoad();
        AtomicInteger runsWritten = new AtomicInteger();

        runConcurrently(threads, worker -> () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < transactionsPerThread; i++) {
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        RunRow run = run("w" + worker + "-" + i, "submitted", at(i));
                        store.useTransaction(tx -> {
                            tx.runs().insert(run);
                            tx.jobs().insert(StoreRows.job(run, 0, "submitted", run.lastProcessedAt()));
                            assertThat(tx.runs().find(run.id())).isPresent();
                        });
                        runsWritten.incrementAndGet();
                    }
                    case 2 -> store.inReadOnlyTransaction(tx -> tx.runs().listByProject(main.id(), false, 20));
                    default -> store.claimDue(WorkKind.JOBS, ClaimFilter.due(seconds(0), "submitted"), at(1000), 2,
                            "owner-" + worker, LEASE).forEach(c -> store.useTransaction(tx -> {
                                JobRow done = c.row().toBuilder().status("provisioning").build();
                                assertThat(tx.jobs().update(done, c.lease())).isTrue();
                                tx.leases().release(c.lease());
                            }));
                }
            }
            return null;
        });

        assertThat(store.inReadOnlyTransaction(
                (StoreTransaction tx) -> tx.runs().listByProject(main.id(), true, 100_000)))
                .hasSize(runsWritten.get());
    }

    /** Subclasses may lower this where each transaction costs more; the brief is 16 threads x 200. */
    protected int transactionsPerThreadUnderLoad() {
        return 200;
    }

    // ---------------------------------------------------------------- migrations and URLs

    @Test
    public void blobsAreKeptOncePerOwnerAndHashWithTheirExactBytes() {
        RepoRow repo = new RepoRow(UUID.randomUUID(), main.id(), "none", "virtual", "{\"repo_type\":\"virtual\"}", null);
        store.useTransaction(tx -> tx.repos().insert(repo));
        byte[] bytes = new byte[70_000];
        new java.util.Random(7).nextBytes(bytes);
        BlobRow code = new BlobRow(UUID.randomUUID(), repo.id(), "h1", bytes);

        boolean inserted = store.<Boolean, RuntimeException>inTransaction(tx -> tx.codes().insertIfAbsent(code));
        boolean again = store.<Boolean, RuntimeException>inTransaction(tx -> tx.codes().insertIfAbsent(
                new BlobRow(UUID.randomUUID(), repo.id(), "h1", new byte[] {1})));
        assertThat(inserted).isTrue();
        assertThat(again).isFalse();
        BlobRow found = store.inReadOnlyTransaction(tx -> tx.codes().findByHash(repo.id(), "h1")).orElseThrow();
        assertThat(found.id()).isEqualTo(code.id());
        assertThat(found.blob()).isEqualTo(bytes);
        Optional<BlobRow> byId = store.inReadOnlyTransaction(tx -> tx.codes().find(code.id()));
        assertThat(byId).isPresent();

        BlobRow archive = new BlobRow(UUID.randomUUID(), alice.id(), "h1", new byte[] {0, (byte) 0xff});
        boolean archived = store.<Boolean, RuntimeException>inTransaction(tx -> tx.fileArchives().insertIfAbsent(archive));
        assertThat(archived).isTrue();
        assertThat(store.inReadOnlyTransaction(tx -> tx.fileArchives().find(archive.id())).orElseThrow().blob())
                .containsExactly(0, 0xff);
        // Deleting the repo takes its code with it.
        store.useTransaction(tx -> tx.repos().delete(main.id(), "none"));
        Optional<BlobRow> gone = store.inReadOnlyTransaction(tx -> tx.codes().find(code.id()));
        assertThat(gone).isEmpty();
    }

    @Test
    public void publicKeysAreUniquePerUserFingerprintAndDeletedOnlyByTheirOwner() {
        UserRow bob = StoreRows.user("bob");
        store.useTransaction(tx -> tx.users().insert(bob));
        PublicKeyRow first = new PublicKeyRow(UUID.randomUUID(), alice.id(), T0, "laptop", "ssh-ed25519", "SHA256:a", "k1");
        PublicKeyRow second = new PublicKeyRow(UUID.randomUUID(), alice.id(), T0.plusSeconds(1), "ci", "ssh-rsa", "SHA256:b", "k2");
        store.useTransaction(tx -> {
            tx.publicKeys().insert(first);
            tx.publicKeys().insert(second);
            tx.publicKeys().insert(new PublicKeyRow(UUID.randomUUID(), bob.id(), T0, "same key", "ssh-ed25519", "SHA256:a", "k1"));
        });
        assertThatThrownBy(() -> store.useTransaction(tx -> tx.publicKeys().insert(new PublicKeyRow(UUID.randomUUID(),
                alice.id(), T0, "again", "ssh-ed25519", "SHA256:a", "k1"))))
                .isInstanceOfSatisfying(DstackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS));

        List<PublicKeyRow> both = store.inReadOnlyTransaction(tx -> tx.publicKeys().list(alice.id()));
        assertThat(both).containsExactly(second, first);
        int byOther = store.<Integer, RuntimeException>inTransaction(tx -> tx.publicKeys().delete(bob.id(), List.of(first.id())));
        int byOwner = store.<Integer, RuntimeException>inTransaction(
                tx -> tx.publicKeys().delete(alice.id(), List.of(first.id(), UUID.randomUUID())));
        assertThat(byOther).isZero();
        assertThat(byOwner).isEqualTo(1);
        List<PublicKeyRow> left = store.inReadOnlyTransaction(tx -> tx.publicKeys().list(alice.id()));
        assertThat(left).containsExactly(second);
    }

    @Test
    public void twoEnginesMigratingAnEmptyDatabaseAtOnceBothSucceed() throws Exception {
        String fresh = newDatabaseUrl();
        try (StateStore first = open(fresh); StateStore second = open(fresh)) {
            List<StateStore> engines = List.of(first, second);

            runConcurrently(2, engine -> () -> {
                engines.get(engine).migrate();
                return null;
            });

            UserRow bob = StoreRows.user("bob");
            first.useTransaction(tx -> tx.users().insert(bob));
            assertThat(userNamed(second, "bob")).contains(bob);
            second.migrate();
        }
        assertMigratedOnce(fresh);
    }

    @Test
    public void dstacksOwnUrlFormOpensTheSameDatabase() {
        UserRow bob = StoreRows.user("bob");
        store.useTransaction(tx -> tx.users().insert(bob));

        try (StateStore viaDstackUrl = open(dstackStyleUrl(databaseUrl))) {
            viaDstackUrl.migrate();
            assertThat(userNamed(viaDstackUrl, "bob")).contains(bob);
            assertThat(viaDstackUrl.description()).doesNotContain(SECRET);
        }
    }

    @Test
    public void aDatabaseThatCannotBeOpenedIsAClearErrorNamingTheUrl() throws Exception {
        String url = unopenableUrl();

        assertThatThrownBy(() -> open(url))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.getCause()).isNotNull();
                })
                .hasMessageStartingWith("Cannot open the state database " + url.replace(SECRET, "***") + ": ")
                .hasMessageNotContaining(SECRET);
    }

    // ---------------------------------------------------------------- helpers

    protected RunRow run(String name, String status, Instant lastProcessedAt) {
        return StoreRows.run(main.id(), alice.id(), name, status, lastProcessedAt);
    }

    protected Optional<RunRow> runById(UUID id) {
        return store.inReadOnlyTransaction(tx -> tx.runs().find(id));
    }

    protected static Optional<UserRow> userNamed(StateStore store, String name) {
        return store.inReadOnlyTransaction(tx -> tx.users().findByName(name));
    }

    /** A write transaction whose answer is a yes or no, e.g. whether a guarded update went through. */
    protected boolean writes(Predicate<StoreTransaction> work) {
        return store.inTransaction(work::test);
    }

    private int countActive(UUID projectId, UUID userId, Set<String> finished, int atMost) {
        return store.inReadOnlyTransaction(tx -> tx.runs().countActive(projectId, userId, finished, atMost));
    }

    protected RunRow insert(RunRow run) {
        store.useTransaction(tx -> tx.runs().insert(run));
        return run;
    }

    private <R> List<Claim<R>> claimAll(WorkKind<R> kind, String status) {
        return store.claimDue(kind, ClaimFilter.due(seconds(0), status), at(100), 100, "p", LEASE);
    }

    /** Starts all workers at once and fails with the first worker's failure, if any. */
    protected static void runConcurrently(int workers, WorkerFactory factory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CyclicBarrier start = new CyclicBarrier(workers);
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Callable<Void> work = factory.create(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            for (Future<Void> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    protected interface WorkerFactory {
        Callable<Void> create(int worker);
    }
}
