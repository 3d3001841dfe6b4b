package ai.dstack.api.run;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a run is terminating, with the status the run ends in and the termination reason given to its jobs that
 * are still active. On the wire it is a plain string; {@link Run#runTerminationReason()} gives the typed view.
 */
public enum RunTerminationReason {
    ALL_JOBS_DONE("all_jobs_done", RunStatus.DONE, JobTerminationReason.DONE_BY_RUNNER),
    JOB_FAILED("job_failed", RunStatus.FAILED, JobTerminationReason.TERMINATED_BY_SERVER),
    RETRY_LIMIT_EXCEEDED("retry_limit_exceeded", RunStatus.FAILED, JobTerminationReason.TERMINATED_BY_SERVER),
    STOPPED_BY_USER("stopped_by_user", RunStatus.TERMINATED, JobTerminationReason.TERMINATED_BY_USER),
    ABORTED_BY_USER("aborted_by_user", RunStatus.TERMINATED, JobTerminationReason.ABORTED_BY_USER),
    /** Not set by dstack at present; kept because stored runs and newer servers may carry it. */
    SERVER_ERROR("server_error", RunStatus.FAILED, JobTerminationReason.TERMINATED_BY_SERVER),
    GATEWAY_ERROR("gateway_error", RunStatus.FAILED, JobTerminationReason.TERMINATED_BY_SERVER);

    private final String wireValue;
    private final RunStatus status;
    private final JobTerminationReason jobTerminationReason;

    RunTerminationReason(String wireValue, RunStatus status, JobTerminationReason jobTerminationReason) {
        this.wireValue = wireValue;
        this.status = status;
        this.jobTerminationReason = jobTerminationReason;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}, or null for null or a value this version does not know. */
    public static RunTerminationReason fromWireValue(String value) {
        return WireValues.lookup(values(), RunTerminationReason::wireValue, value, null);
    }

    /** The status the run ends in once all its jobs have finished. */
    public RunStatus toStatus() {
        return status;
    }

    /** The reason given to the run's jobs that are not finished yet when the run terminates. */
    public JobTerminationReason toJobTerminationReason() {
        return jobTerminationReason;
    }

    /** The short text dstack shows as the run's {@code error}, or null. */
    public String toError() {
        return switch (this) {
            case RETRY_LIMIT_EXCEEDED -> "retry limit exceeded";
            case SERVER_ERROR -> "server error";
            case GATEWAY_ERROR -> "gateway error";
            default -> null;
        };
    }
}
