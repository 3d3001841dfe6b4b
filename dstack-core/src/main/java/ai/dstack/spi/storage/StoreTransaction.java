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
}
