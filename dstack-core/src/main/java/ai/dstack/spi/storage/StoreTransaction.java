package ai.dstack.spi.storage;

/**
 * The stores available inside one transaction. Valid only during the callback it was passed to; using it afterwards
 * throws {@link IllegalStateException}.
 */
public interface StoreTransaction {
    UserStore users();

    ProjectStore projects();

    BackendStore backends();

    RepoStore repos();

    SecretStore secrets();

    RunStore runs();

    JobStore jobs();

    FleetStore fleets();

    InstanceStore instances();

    LeaseStore leases();

    /** Users' own SSH public keys. */
    PublicKeyStore publicKeys();

    /** Repo code blobs uploaded with {@code repos/upload_code}, owned by the repo's row. */
    BlobStore codes();

    /** File archives uploaded with {@code files/upload_archive}, owned by the uploading user. */
    BlobStore fileArchives();

    /** Samples of jobs' CPU, memory and GPU usage. */
    MetricsStore metrics();

    /** What happened to runs, jobs, fleets, instances, users and projects. */
    EventStore events();

    /** Network volumes and their attachments to instances. */
    VolumeStore volumes();
}
