package ai.dstack.testing;

import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.UserRow;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Rows of the state store for tests: minimal ones with only the required columns, and full ones with every column
 * set, so that a store that forgets a column fails {@link StateStoreContract}. Use them in your own store's tests too:
 *
 * <pre>{@code
 * UserRow alice = StoreRows.user("alice");
 * ProjectRow main = StoreRows.project("main", alice.id());
 * store.useTransaction(tx -> { tx.users().insert(alice); tx.projects().insert(main); });
 * }</pre>
 *
 * <p>Timestamps start at {@link #T0}, which has nanoseconds on purpose: rows are truncated to the microsecond when
 * built, and a store must give back exactly what it was given.
 */
public final class StoreRows {
    /** Has nanoseconds on purpose: rows must come back truncated to the microsecond, equal to what was built. */
    public static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    private StoreRows() {}

    public static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    public static UserRow user(String name) {
        return UserRow.builder().id(UUID.randomUUID()).name(name).createdAt(T0).globalRole("user")
                .token("enc:" + name).tokenHash("hash-" + name).build();
    }

    public static ProjectRow project(String name, UUID ownerId) {
        return new ProjectRow(UUID.randomUUID(), name, ownerId, T0, false, false, null, "ssh-ed25519 AAAA", "PRIVATE");
    }

    public static MemberRow member(UUID projectId, UUID userId, String role, int memberNum) {
        return new MemberRow(UUID.randomUUID(), projectId, userId, role, memberNum);
    }

    public static RunRow run(UUID projectId, UUID userId, String name, String status, Instant lastProcessedAt) {
        return RunRow.builder().id(UUID.randomUUID()).projectId(projectId).userId(userId).runName(name)
                .status(status).submittedAt(T0).lastProcessedAt(lastProcessedAt)
                .runSpec("{\"run_name\":\"" + name + "\"}")
                .build();
    }

    public static JobRow job(RunRow run, int jobNum, String status, Instant lastProcessedAt) {
        return JobRow.builder().id(UUID.randomUUID()).projectId(run.projectId()).runId(run.id())
                .runName(run.runName()).jobName(run.runName() + "-" + jobNum + "-0").jobNum(jobNum)
                .status(status).submittedAt(T0).lastProcessedAt(lastProcessedAt)
                .jobSpecData("{\"job_num\":" + jobNum + "}")
                .build();
    }

    public static FleetRow fleet(UUID projectId, String name, String status, Instant lastProcessedAt) {
        return FleetRow.builder().id(UUID.randomUUID()).projectId(projectId).name(name).status(status)
                .spec("{\"configuration\":{\"type\":\"fleet\"}}").createdAt(T0).lastProcessedAt(lastProcessedAt)
                .build();
    }

    public static InstanceRow instance(FleetRow fleet, int num, String status, Instant lastProcessedAt) {
        return InstanceRow.builder().id(UUID.randomUUID()).projectId(fleet.projectId()).fleetId(fleet.id())
                .name(fleet.name() + "-" + num).instanceNum(num).status(status).createdAt(T0)
                .lastProcessedAt(lastProcessedAt).build();
    }

    public static RunRow fullRun(UUID projectId, UUID userId, UUID repoId, UUID fleetId) {
        return RunRow.builder().id(UUID.randomUUID()).projectId(projectId).userId(userId).repoId(repoId)
                .fleetId(fleetId).runName("full-run").status("terminating").terminationReason("stopped_by_user")
                .submittedAt(T0).lastProcessedAt(at(5)).skipMinProcessingInterval(true).nextTriggeredAt(at(3600))
                .resubmissionAttempt(2).priority(7).deploymentNum(3).desiredReplicaCount(2)
                .desiredReplicaCounts("{\"0\":2}").runSpec("{\"run_name\":\"full-run\",\"configuration\":{}}")
                .serviceSpec("{\"url\":\"/proxy\"}").deleted(false).build();
    }

    public static JobRow fullJob(RunRow run, UUID fleetId, UUID instanceId) {
        return JobRow.builder().id(UUID.randomUUID()).projectId(run.projectId()).runId(run.id()).fleetId(fleetId)
                .instanceId(instanceId).usedInstanceId(instanceId).runName(run.runName()).jobName("full-run-1-2")
                .jobNum(1).replicaNum(2).submissionNum(3).deploymentNum(4).status("failed")
                .terminationReason("container_exited_with_error").terminationReasonMessage("exit 3").exitStatus(3)
                .submittedAt(T0).lastProcessedAt(at(60)).skipMinProcessingInterval(true).finishedAt(at(61)).startedAt(at(59))
                .disconnectedAt(at(30)).removeAt(at(70)).volumesDetachedAt(at(71)).instanceAssigned(true)
                .waitingMasterJob(false).gracefulTerminationAttempts(1).inactivitySecs(0)
                .runnerTimestamp(1_767_000_000_123L).jobSpecData("{\"job_num\":1,\"env\":{\"A\":\"1\"}}")
                .jobProvisioningData("{\"backend\":\"aws\",\"price\":1.5}")
                .jobRuntimeData("{\"network_mode\":\"host\"}")
                .imagePullProgress("{\"downloaded_bytes\":10}").build();
    }

    public static FleetRow fullFleet(UUID projectId) {
        return FleetRow.builder().id(UUID.randomUUID()).projectId(projectId).name("full-fleet").status("active")
                .statusMessage("ok").spec("{\"configuration\":{\"type\":\"fleet\",\"nodes\":{\"min\":1}}}")
                .createdAt(T0).lastProcessedAt(at(15)).skipMinProcessingInterval(true).deleted(false)
                .deletedAt(at(99)).currentMasterInstanceId(UUID.randomUUID()).consolidationAttempt(4)
                .lastConsolidatedAt(at(16)).build();
    }

    public static InstanceRow fullInstance(FleetRow fleet, UUID provisioningJobId) {
        return InstanceRow.builder().id(UUID.randomUUID()).projectId(fleet.projectId()).fleetId(fleet.id())
                .name("full-fleet-0").instanceNum(0).status("busy").unreachable(true).health("warning")
                .createdAt(T0).lastProcessedAt(at(7)).skipMinProcessingInterval(true).deleted(false)
                .deletedAt(at(100)).startedAt(at(1)).finishedAt(at(200)).backend("aws").backendData("{\"zone\":\"a\"}")
                .region("us-east-1").price(32.77).offer("{\"backend\":\"aws\"}")
                .jobProvisioningData("{\"hostname\":\"h\"}")
                .profile("{\"name\":\"default\"}").requirements("{\"resources\":{}}").instanceConfiguration("{}")
                .remoteConnectionInfo("{\"host\":\"10.0.0.1\"}").terminationPolicy("destroy-after-idle")
                .terminationIdleTime(300).terminationDeadline(at(1200)).terminationReason("idle_timeout")
                .terminationReasonMessage("idle for 5m").firstTerminationRetryAt(at(301))
                .lastTerminationRetryAt(at(331))
                .totalBlocks(4).busyBlocks(2).lastJobProcessedAt(at(8)).provisioningJobId(provisioningJobId).build();
    }

    /** What a timestamp reads back as: truncated to the microsecond. */
    public static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    public static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
