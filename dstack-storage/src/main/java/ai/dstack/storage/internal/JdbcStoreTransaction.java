package ai.dstack.storage.internal;

import ai.dstack.spi.storage.BackendStore;
import ai.dstack.spi.storage.BlobStore;
import ai.dstack.spi.storage.EventStore;
import ai.dstack.spi.storage.MetricsStore;
import ai.dstack.spi.storage.FleetStore;
import ai.dstack.spi.storage.InstanceStore;
import ai.dstack.spi.storage.JobStore;
import ai.dstack.spi.storage.LeaseStore;
import ai.dstack.spi.storage.ProjectStore;
import ai.dstack.spi.storage.PublicKeyStore;
import ai.dstack.spi.storage.RepoStore;
import ai.dstack.spi.storage.RunStore;
import ai.dstack.spi.storage.SecretStore;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserStore;
import ai.dstack.spi.storage.VolumeStore;

/** The stores of one transaction; all share its {@link TxContext}, so they all stop working when it ends. */
final class JdbcStoreTransaction implements StoreTransaction {
    private final UserStore users;
    private final ProjectStore projects;
    private final BackendStore backends;
    private final RepoStore repos;
    private final SecretStore secrets;
    private final RunStore runs;
    private final JobStore jobs;
    private final FleetStore fleets;
    private final InstanceStore instances;
    private final LeaseStore leases;
    private final PublicKeyStore publicKeys;
    private final BlobStore codes;
    private final BlobStore fileArchives;
    private final MetricsStore metrics;
    private final EventStore events;
    private final VolumeStore volumes;

    JdbcStoreTransaction(TxContext tx) {
        this.users = new JdbcUserStore(tx);
        this.projects = new JdbcProjectStore(tx);
        this.backends = new JdbcBackendStore(tx);
        this.repos = new JdbcRepoStore(tx);
        this.secrets = new JdbcSecretStore(tx);
        this.runs = new JdbcRunStore(tx);
        this.jobs = new JdbcJobStore(tx);
        this.fleets = new JdbcFleetStore(tx);
        this.instances = new JdbcInstanceStore(tx);
        this.leases = new JdbcLeaseStore(tx);
        this.publicKeys = new JdbcPublicKeyStore(tx);
        this.codes = new JdbcBlobStore(tx, "codes");
        this.fileArchives = new JdbcBlobStore(tx, "file_archives");
        this.metrics = new JdbcMetricsStore(tx);
        this.events = new JdbcEventStore(tx);
        this.volumes = new JdbcVolumeStore(tx);
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public ProjectStore projects() {
        return projects;
    }

    @Override
    public BackendStore backends() {
        return backends;
    }

    @Override
    public RepoStore repos() {
        return repos;
    }

    @Override
    public SecretStore secrets() {
        return secrets;
    }

    @Override
    public RunStore runs() {
        return runs;
    }

    @Override
    public JobStore jobs() {
        return jobs;
    }

    @Override
    public FleetStore fleets() {
        return fleets;
    }

    @Override
    public InstanceStore instances() {
        return instances;
    }

    @Override
    public LeaseStore leases() {
        return leases;
    }

    @Override
    public PublicKeyStore publicKeys() {
        return publicKeys;
    }

    @Override
    public BlobStore codes() {
        return codes;
    }

    @Override
    public BlobStore fileArchives() {
        return fileArchives;
    }

    @Override
    public MetricsStore metrics() {
        return metrics;
    }

    @Override
    public EventStore events() {
        return events;
    }

    @Override
    public VolumeStore volumes() {
        return volumes;
    }
}
