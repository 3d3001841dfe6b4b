package ai.dstack.api.run;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a job submission ended, with the final {@link JobStatus} it leads to and the {@link RetryEvent} it
 * triggers. On the wire the reason is a plain string so that a newer server's reasons do not break reading;
 * {@link JobSubmission#jobTerminationReason()} gives the typed view.
 */
public enum JobTerminationReason {
    // Set by the server.
    FAILED_TO_START_DUE_TO_NO_CAPACITY("failed_to_start_due_to_no_capacity", JobStatus.FAILED),
    INTERRUPTED_BY_NO_CAPACITY("interrupted_by_no_capacity", JobStatus.FAILED),
    INSTANCE_UNREACHABLE("instance_unreachable", JobStatus.FAILED),
    INSTANCE_ACCESS_REVOKED("instance_access_revoked", JobStatus.FAILED),
    WAITING_INSTANCE_LIMIT_EXCEEDED("waiting_instance_limit_exceeded", JobStatus.FAILED),
    WAITING_RUNNER_LIMIT_EXCEEDED("waiting_runner_limit_exceeded", JobStatus.FAILED),
    TERMINATED_BY_USER("terminated_by_user", JobStatus.TERMINATED),
    VOLUME_ERROR("volume_error", JobStatus.FAILED),
    GATEWAY_ERROR("gateway_error", JobStatus.FAILED),
    SCALED_DOWN("scaled_down", JobStatus.TERMINATED),
    DONE_BY_RUNNER("done_by_runner", JobStatus.DONE),
    ABORTED_BY_USER("aborted_by_user", JobStatus.ABORTED),
    TERMINATED_BY_SERVER("terminated_by_server", JobStatus.TERMINATED),
    INACTIVITY_DURATION_EXCEEDED("inactivity_duration_exceeded", JobStatus.TERMINATED),
    TERMINATED_DUE_TO_UTILIZATION_POLICY("terminated_due_to_utilization_policy", JobStatus.TERMINATED),
    // Set by the runner.
    CONTAINER_EXITED_WITH_ERROR("container_exited_with_error", JobStatus.FAILED),
    PORTS_BINDING_FAILED("ports_binding_failed", JobStatus.FAILED),
    CREATING_CONTAINER_ERROR("creating_container_error", JobStatus.FAILED),
    EXECUTOR_ERROR("executor_error", JobStatus.FAILED),
    MAX_DURATION_EXCEEDED("max_duration_exceeded", JobStatus.TERMINATED),
    LOG_QUOTA_EXCEEDED("log_quota_exceeded", JobStatus.FAILED);

    private final String wireValue;
    private final JobStatus status;

    JobTerminationReason(String wireValue, JobStatus status) {
        this.wireValue = wireValue;
        this.status = status;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}, or null for null or a value this version does not know. */
    public static JobTerminationReason fromWireValue(String value) {
        return WireValues.lookup(values(), JobTerminationReason::wireValue, value, null);
    }

    /** The status a job ends in for this reason. */
    public JobStatus toStatus() {
        return status;
    }

    /** The status a job ends in for {@code reason}; a job terminated without a reason has failed. */
    public static JobStatus finalStatusOf(JobTerminationReason reason) {
        return reason == null ? JobStatus.FAILED : reason.toStatus();
    }

    /**
     * The retry event this reason triggers: no capacity and interruption have their own events, any other reason
     * that ends in {@link JobStatus#FAILED} is an error, and terminated/done/aborted jobs are never retried (null).
     */
    public RetryEvent toRetryEvent() {
        if (this == FAILED_TO_START_DUE_TO_NO_CAPACITY) {
            return RetryEvent.NO_CAPACITY;
        }
        if (this == INTERRUPTED_BY_NO_CAPACITY) {
            return RetryEvent.INTERRUPTION;
        }
        return status == JobStatus.FAILED ? RetryEvent.ERROR : null;
    }

    /**
     * The short text dstack shows as the job's {@code error}, or null when the status message already says it.
     */
    public String toError() {
        return switch (this) {
            case INSTANCE_UNREACHABLE -> "instance unreachable";
            case INSTANCE_ACCESS_REVOKED -> "instance access revoked";
            case WAITING_INSTANCE_LIMIT_EXCEEDED -> "waiting instance limit exceeded";
            case WAITING_RUNNER_LIMIT_EXCEEDED -> "waiting runner limit exceeded";
            case VOLUME_ERROR -> "volume error";
            case GATEWAY_ERROR -> "gateway error";
            case SCALED_DOWN -> "scaled down";
            case INACTIVITY_DURATION_EXCEEDED -> "inactivity duration exceeded";
            case TERMINATED_DUE_TO_UTILIZATION_POLICY -> "utilization policy";
            case PORTS_BINDING_FAILED -> "ports binding failed";
            case CREATING_CONTAINER_ERROR -> "runner error";
            case EXECUTOR_ERROR -> "executor error";
            case MAX_DURATION_EXCEEDED -> "max duration exceeded";
            case LOG_QUOTA_EXCEEDED -> "log quota exceeded";
            default -> null;
        };
    }
}
