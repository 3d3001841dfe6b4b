package ai.dstack.core.internal.crypto;

import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.BackendStore;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.FleetStore;
import ai.dstack.spi.storage.InstanceStore;
import ai.dstack.spi.storage.JobStore;
import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.LeaseStore;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.ProjectStore;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.RepoStore;
import ai.dstack.spi.storage.RunStore;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.SecretStore;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.TransactionCallback;
import ai.dstack.spi.storage.UserRow;
import ai.dstack.spi.storage.UserStore;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state store that keeps the columns of {@link EncryptedColumns} encrypted in the database while the engine sees
 * plaintext. Everything else passes through unchanged.
 *
 * <p>A user's token or a backend's credentials that no key decrypts are handed on as stored (with a warning): the
 * user then cannot log in and the backend is ignored, as in dstack, while the rest of the server works. Any other
 * undecryptable value fails the call with {@link UndecryptableValueException} naming the value.
 */
public final class EncryptingStateStore implements StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(EncryptingStateStore.class);

    private final StateStore delegate;
    private final Encryption encryption;

    public EncryptingStateStore(StateStore delegate, Encryption encryption) {
        this.delegate = Objects.requireNonNull(delegate, "delegate is null");
        this.encryption = Objects.requireNonNull(encryption, "encryption is null");
    }

    /** The store underneath, which sees the values as stored. */
    public StateStore delegate() {
        return delegate;
    }

    public Encryption encryption() {
        return encryption;
    }

    @Override
    public void migrate() {
        delegate.migrate();
    }

    @Override
    public <R, X extends Exception> R inTransaction(TransactionCallback<R, X> callback) throws X {
        return delegate.inTransaction(tx -> callback.withTransaction(new Tx(tx)));
    }

    @Override
    public <R, X extends Exception> R inReadOnlyTransaction(TransactionCallback<R, X> callback) throws X {
        return delegate.inReadOnlyTransaction(tx -> callback.withTransaction(new Tx(tx)));
    }

    @Override
    public <R> List<Claim<R>> claimDue(WorkKind<R> kind, ClaimFilter filter, Instant now, int limit, String owner,
            Duration leaseDuration) {
        return delegate.claimDue(kind, filter, now, limit, owner, leaseDuration);
    }

    @Override
    public <R> Optional<Claim<R>> claim(WorkKind<R> kind, UUID id, Instant now, String owner, Duration leaseDuration) {
        return delegate.claim(kind, id, now, owner, leaseDuration);
    }

    @Override
    public <R> List<Claim<R>> claimAll(WorkKind<R> kind, Collection<UUID> ids, Instant now, String owner,
            Duration leaseDuration) {
        return delegate.claimAll(kind, ids, now, owner, leaseDuration);
    }

    @Override
    public List<Lease> heartbeat(Collection<Lease> leases, Instant now, Duration leaseDuration) {
        return delegate.heartbeat(leases, now, leaseDuration);
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public ai.dstack.spi.storage.StoreStatistics statistics() {
        return delegate.statistics();
    }

    @Override
    public boolean sharedByReplicas() {
        return delegate.sharedByReplicas();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private String encrypt(String value, String what) {
        return encryption.encrypt(value);
    }

    private String decrypt(String value, String what) {
        return encryption.decrypt(value, what);
    }

    /** Leaves an undecryptable value as stored, so that it never equals a plaintext a client presents. */
    private String lenientDecrypt(String value, String what) {
        try {
            return encryption.decrypt(value, what);
        } catch (UndecryptableValueException e) {
            LOG.warn("{}", e.getMessage());
            return value;
        }
    }

    private final class Tx implements StoreTransaction {
        private final StoreTransaction tx;

        Tx(StoreTransaction tx) {
            this.tx = tx;
        }

        @Override
        public UserStore users() {
            return new Users(tx.users());
        }

        @Override
        public ProjectStore projects() {
            return new Projects(tx.projects());
        }

        @Override
        public BackendStore backends() {
            return new Backends(tx.backends());
        }

        @Override
        public RepoStore repos() {
            return new Repos(tx.repos());
        }

        @Override
        public SecretStore secrets() {
            return new Secrets(tx.secrets());
        }

        @Override
        public RunStore runs() {
            return tx.runs();
        }

        @Override
        public JobStore jobs() {
            return tx.jobs();
        }

        @Override
        public FleetStore fleets() {
            return tx.fleets();
        }

        @Override
        public InstanceStore instances() {
            return tx.instances();
        }

        @Override
        public LeaseStore leases() {
            return tx.leases();
        }

        // Public keys, uploaded code and file archives hold nothing secret: they pass through.
        @Override
        public ai.dstack.spi.storage.PublicKeyStore publicKeys() {
            return tx.publicKeys();
        }

        @Override
        public ai.dstack.spi.storage.BlobStore codes() {
            return tx.codes();
        }

        @Override
        public ai.dstack.spi.storage.BlobStore fileArchives() {
            return tx.fileArchives();
        }

        @Override
        public ai.dstack.spi.storage.MetricsStore metrics() {
            return tx.metrics();
        }

        @Override
        public ai.dstack.spi.storage.EventStore events() {
            return tx.events();
        }

        @Override
        public ai.dstack.spi.storage.VolumeStore volumes() {
            return tx.volumes();
        }
    }

    private final class Users implements UserStore {
        private final UserStore store;

        Users(UserStore store) {
            this.store = store;
        }

        private UserRow read(UserRow row) {
            return EncryptedColumns.user(row, EncryptingStateStore.this::lenientDecrypt);
        }

        @Override
        public void insert(UserRow user) {
            store.insert(EncryptedColumns.user(user, EncryptingStateStore.this::encrypt));
        }

        @Override
        public Optional<UserRow> find(UUID id) {
            return store.find(id).map(this::read);
        }

        @Override
        public Optional<UserRow> findByName(String name) {
            return store.findByName(name).map(this::read);
        }

        @Override
        public Optional<UserRow> findByTokenHash(String tokenHash) {
            return store.findByTokenHash(tokenHash).map(this::read);
        }

        @Override
        public List<UserRow> list() {
            return store.list().stream().map(this::read).toList();
        }

        @Override
        public boolean update(UserRow user) {
            return store.update(EncryptedColumns.user(user, EncryptingStateStore.this::encrypt));
        }
    }

    private final class Projects implements ProjectStore {
        private final ProjectStore store;

        Projects(ProjectStore store) {
            this.store = store;
        }

        private ProjectRow read(ProjectRow row) {
            return EncryptedColumns.project(row, EncryptingStateStore.this::decrypt);
        }

        @Override
        public void insert(ProjectRow project) {
            store.insert(EncryptedColumns.project(project, EncryptingStateStore.this::encrypt));
        }

        @Override
        public Optional<ProjectRow> find(UUID id) {
            return store.find(id).map(this::read);
        }

        @Override
        public Optional<ProjectRow> findByName(String name) {
            return store.findByName(name).map(this::read);
        }

        @Override
        public List<ProjectRow> list() {
            return store.list().stream().map(this::read).toList();
        }

        @Override
        public boolean update(ProjectRow project) {
            return store.update(EncryptedColumns.project(project, EncryptingStateStore.this::encrypt));
        }

        @Override
        public void addMember(MemberRow member) {
            store.addMember(member);
        }

        @Override
        public boolean removeMember(UUID projectId, UUID userId) {
            return store.removeMember(projectId, userId);
        }

        @Override
        public void replaceMembers(UUID projectId, List<MemberRow> members) {
            store.replaceMembers(projectId, members);
        }

        @Override
        public List<MemberRow> members(UUID projectId) {
            return store.members(projectId);
        }

        @Override
        public List<MemberRow> memberships(UUID userId) {
            return store.memberships(userId);
        }
    }

    private final class Backends implements BackendStore {
        private final BackendStore store;

        Backends(BackendStore store) {
            this.store = store;
        }

        private BackendRow read(BackendRow row) {
            return EncryptedColumns.backend(row, EncryptingStateStore.this::lenientDecrypt);
        }

        @Override
        public void insert(BackendRow backend) {
            store.insert(EncryptedColumns.backend(backend, EncryptingStateStore.this::encrypt));
        }

        @Override
        public Optional<BackendRow> find(UUID projectId, String type) {
            return store.find(projectId, type).map(this::read);
        }

        @Override
        public List<BackendRow> list(UUID projectId) {
            return store.list(projectId).stream().map(this::read).toList();
        }

        @Override
        public boolean update(BackendRow backend) {
            return store.update(EncryptedColumns.backend(backend, EncryptingStateStore.this::encrypt));
        }

        @Override
        public boolean delete(UUID projectId, String type) {
            return store.delete(projectId, type);
        }
    }

    private final class Repos implements RepoStore {
        private final RepoStore store;

        Repos(RepoStore store) {
            this.store = store;
        }

        private RepoRow read(RepoRow row) {
            return EncryptedColumns.repo(row, EncryptingStateStore.this::decrypt);
        }

        @Override
        public void insert(RepoRow repo) {
            store.insert(EncryptedColumns.repo(repo, EncryptingStateStore.this::encrypt));
        }

        @Override
        public Optional<RepoRow> find(UUID projectId, String name) {
            return store.find(projectId, name).map(this::read);
        }

        @Override
        public List<RepoRow> list(UUID projectId) {
            return store.list(projectId).stream().map(this::read).toList();
        }

        @Override
        public boolean update(RepoRow repo) {
            return store.update(EncryptedColumns.repo(repo, EncryptingStateStore.this::encrypt));
        }

        @Override
        public boolean delete(UUID projectId, String name) {
            return store.delete(projectId, name);
        }
    }

    private final class Secrets implements SecretStore {
        private final SecretStore store;

        Secrets(SecretStore store) {
            this.store = store;
        }

        private SecretRow read(SecretRow row) {
            return EncryptedColumns.secret(row, EncryptingStateStore.this::decrypt);
        }

        @Override
        public void insert(SecretRow secret) {
            store.insert(EncryptedColumns.secret(secret, EncryptingStateStore.this::encrypt));
        }

        @Override
        public Optional<SecretRow> find(UUID projectId, String name) {
            return store.find(projectId, name).map(this::read);
        }

        @Override
        public List<SecretRow> list(UUID projectId) {
            return store.list(projectId).stream().map(this::read).toList();
        }

        @Override
        public boolean update(SecretRow secret) {
            return store.update(EncryptedColumns.secret(secret, EncryptingStateStore.this::encrypt));
        }

        @Override
        public boolean delete(UUID projectId, String name) {
            return store.delete(projectId, name);
        }
    }
}
