package ai.dstack.spi.backend;

/** What kind of failure a cloud reported; the engine decides from this alone whether to try another offer. */
public enum BackendFailure {
    /** The cloud has no capacity for this offer now (another zone, region or instance type may work). */
    NO_CAPACITY,
    /** An account limit (vCPU, instance or spot quota) stops the request; other offers of the family will fail too. */
    QUOTA_EXCEEDED,
    /** The credentials are valid but lack a permission the call needs. */
    PERMISSION_DENIED,
    /** The credentials are wrong, expired or missing. */
    INVALID_CREDENTIALS,
    /** The resource named (instance, volume, image, VPC, ...) does not exist. */
    NOT_FOUND,
    /** The backend's configuration is wrong; the message names the field. */
    INVALID_CONFIGURATION,
    /** Anything else the cloud reported, or the cloud could not be reached. */
    OTHER
}
