package ai.dstack.core.internal.operations;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.HostShape;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.UserRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/** What the engine creates on its first start: the admin user, project {@code main}, and the local fleet. */
public final class Bootstrap {
    static final String ADMIN = "admin";
    static final String MAIN_PROJECT = "main";

    private Bootstrap() {}

    public record Identity(UserRow admin, ProjectRow main) {}

    /** The admin and project {@code main}, created if missing; a given admin token replaces the stored one. */
    public static Identity ensureAdminAndMain(StateStore store, Clock clock, String adminToken) {
        // Key pairs take 60-400 ms of CPU each: made before the transaction, which holds the database's only writer,
        // and only when the first start needs them.
        boolean firstStart = store.inReadOnlyTransaction(tx -> tx.users().findByName(ADMIN).isEmpty()
                || tx.projects().findByName(MAIN_PROJECT).isEmpty());
        JobSshKey adminKey = firstStart ? JobSshKeys.generate() : null;
        JobSshKey mainKey = firstStart ? JobSshKeys.generate() : null;
        return onceAnotherReplicaIsDone(() -> store.inTransaction(tx -> {
            Instant now = clock.instant();
            UserRow admin = tx.users().findByName(ADMIN).orElse(null);
            if (admin == null) {
                String token = adminToken != null ? adminToken : UUID.randomUUID().toString();
                JobSshKey key = adminKey != null ? adminKey : JobSshKeys.generate();
                admin = UserRow.builder().id(UUID.randomUUID()).name(ADMIN).createdAt(now).globalRole("admin")
                        .token(token).tokenHash(tokenHash(token))
                        .sshPublicKey(key.publicKey()).sshPrivateKey(key.privateKey()).build();
                tx.users().insert(admin);
            } else if (adminToken != null && !adminToken.equals(admin.token())) {
                admin = admin.toBuilder().token(adminToken).tokenHash(tokenHash(adminToken)).build();
                tx.users().update(admin);
            }
            Optional<ProjectRow> existing = tx.projects().findByName(MAIN_PROJECT);
            ProjectRow main;
            if (existing.isPresent()) {
                main = existing.get();
            } else {
                JobSshKey key = mainKey != null ? mainKey : JobSshKeys.generate();
                main = new ProjectRow(UUID.randomUUID(), MAIN_PROJECT, admin.id(), now, false, false, null,
                        key.publicKey(), key.privateKey());
                tx.projects().insert(main);
                tx.projects().addMember(new MemberRow(UUID.randomUUID(), main.id(), admin.id(), "admin", 0));
            }
            return new Identity(admin, main);
        }));
    }

    /** The fleet {@code local} with one instance, the engine's own host, split into {@code shape.blocks()} blocks. */
    public static LocalFleet ensureLocalFleet(StateStore store, Clock clock, ProjectRow project, HostShape shape) {
        return onceAnotherReplicaIsDone(() -> store.inTransaction(tx -> {
            Instant now = clock.instant();
            FleetRow fleet = tx.fleets().findByName(project.id(), LocalFleet.NAME).orElse(null);
            if (fleet == null) {
                FleetConfiguration configuration = DstackYaml.parse(
                        "type: fleet\nname: " + LocalFleet.NAME + "\nplacement: any\nblocks: " + shape.blocks() + "\n",
                        "local fleet", FleetConfiguration.class);
                FleetSpec spec = new FleetSpec(configuration, null, Profile.defaultProfile(), false);
                fleet = FleetRow.builder().id(UUID.randomUUID()).projectId(project.id()).name(LocalFleet.NAME)
                        .status("active").spec(Json.write(spec)).createdAt(now).lastProcessedAt(now).build();
                tx.fleets().insert(fleet);
            }
            String instanceName = LocalFleet.NAME + "-0";
            InstanceRow instance = tx.instances().listByFleet(fleet.id()).stream()
                    .filter(i -> !i.deleted()).findFirst().orElse(null);
            LocalFleet local = new LocalFleet(project.id(), fleet.id(),
                    instance == null ? UUID.randomUUID() : instance.id(), instanceName, shape);
            String offer = Json.write(new ai.dstack.api.offer.InstanceOffer(LocalFleet.BACKEND, shape.instanceType(),
                    LocalFleet.BACKEND, 0.0, null));
            if (instance == null) {
                tx.instances().insert(InstanceRow.builder().id(local.instanceId()).projectId(project.id())
                        .fleetId(fleet.id()).name(instanceName).instanceNum(0).status("idle").health("healthy")
                        .createdAt(now).lastProcessedAt(now).startedAt(now).backend(LocalFleet.BACKEND)
                        .region(LocalFleet.BACKEND).price(0.0).offer(offer)
                        .jobProvisioningData(Json.write(local.provisioningData()))
                        .terminationPolicy("dont-destroy").totalBlocks(shape.blocks()).busyBlocks(0).build());
            } else if (!Integer.valueOf(shape.blocks()).equals(instance.totalBlocks()) || !offer.equals(instance.offer())) {
                // The host changed (more memory, another block count): describe it as it is now.
                tx.instances().updateIfNotLeased(instance.toBuilder().totalBlocks(shape.blocks()).offer(offer)
                        .jobProvisioningData(Json.write(local.provisioningData())).build(), now);
            }
            return local;
        }));
    }

    /**
     * Replicas starting together on an empty database all try to create the same rows: the losers' inserts hit
     * unique constraints and roll back, and their second attempt finds what the winner created.
     */
    private static <T> T onceAnotherReplicaIsDone(java.util.function.Supplier<T> creation) {
        for (int attempt = 1; ; attempt++) {
            try {
                return creation.get();
            } catch (ai.dstack.api.DstackException e) {
                if (e.code() != ai.dstack.api.ErrorCode.RESOURCE_EXISTS || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    static String tokenHash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
