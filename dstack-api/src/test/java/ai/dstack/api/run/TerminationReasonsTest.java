package ai.dstack.api.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The mapping tables of dstack's RunTerminationReason and JobTerminationReason. */
class TerminationReasonsTest {
    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource(nullValues = "-", value = {
        "failed_to_start_due_to_no_capacity,   failed,     no-capacity",
        "interrupted_by_no_capacity,           failed,     interruption",
        "instance_unreachable,                 failed,     error",
        "instance_access_revoked,              failed,     error",
        "waiting_instance_limit_exceeded,      failed,     error",
        "waiting_runner_limit_exceeded,        failed,     error",
        "terminated_by_user,                   terminated, -",
        "volume_error,                         failed,     error",
        "gateway_error,                        failed,     error",
        "scaled_down,                          terminated, -",
        "done_by_runner,                       done,       -",
        "aborted_by_user,                      aborted,    -",
        "terminated_by_server,                 terminated, -",
        "inactivity_duration_exceeded,         terminated, -",
        "terminated_due_to_utilization_policy, terminated, -",
        "container_exited_with_error,          failed,     error",
        "ports_binding_failed,                 failed,     error",
        "creating_container_error,             failed,     error",
        "executor_error,                       failed,     error",
        "max_duration_exceeded,                terminated, -",
        "log_quota_exceeded,                   failed,     error",
    })
    void jobTerminationReasonGivesDstacksFinalStatusAndRetryEvent(String reason, String status, String retryEvent) {
        JobTerminationReason parsed = JobTerminationReason.fromWireValue(reason);

        assertThat(parsed).isNotNull();
        assertThat(parsed.wireValue()).isEqualTo(reason);
        assertThat(parsed.toStatus()).isEqualTo(JobStatus.fromWireValue(status));
        assertThat(parsed.toRetryEvent()).isEqualTo(RetryEvent.fromWireValue(retryEvent));
    }

    @Test
    void theJobTableCoversEveryReason() {
        assertThat(JobTerminationReason.values()).hasSize(21);
    }

    @Test
    void aJobTerminatedWithoutAReasonHasFailed() {
        assertThat(JobTerminationReason.finalStatusOf(null)).isEqualTo(JobStatus.FAILED);
        assertThat(JobTerminationReason.finalStatusOf(JobTerminationReason.DONE_BY_RUNNER)).isEqualTo(JobStatus.DONE);
    }

    @Test
    void finishedJobsThatDidNotFailAreNeverRetried() {
        assertThat(Arrays.stream(JobTerminationReason.values()).filter(r -> r.toStatus() != JobStatus.FAILED))
                .allSatisfy(reason -> assertThat(reason.toRetryEvent()).isNull());
    }

    @Test
    void jobErrorsAreDstacksShortTexts() {
        assertThat(JobTerminationReason.CREATING_CONTAINER_ERROR.toError()).isEqualTo("runner error");
        assertThat(JobTerminationReason.TERMINATED_DUE_TO_UTILIZATION_POLICY.toError()).isEqualTo("utilization policy");
        assertThat(JobTerminationReason.CONTAINER_EXITED_WITH_ERROR.toError()).isNull();
        assertThat(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.toError()).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1} / {2}")
    @CsvSource({
        "all_jobs_done,        done,       done_by_runner",
        "job_failed,           failed,     terminated_by_server",
        "retry_limit_exceeded, failed,     terminated_by_server",
        "stopped_by_user,      terminated, terminated_by_user",
        "aborted_by_user,      terminated, aborted_by_user",
        "server_error,         failed,     terminated_by_server",
        "gateway_error,        failed,     terminated_by_server",
    })
    void runTerminationReasonGivesRunStatusAndJobReason(String reason, String status, String jobReason) {
        RunTerminationReason parsed = RunTerminationReason.fromWireValue(reason);

        assertThat(parsed).isNotNull();
        assertThat(parsed.toStatus()).isEqualTo(RunStatus.fromWireValue(status));
        assertThat(parsed.toJobTerminationReason()).isEqualTo(JobTerminationReason.fromWireValue(jobReason));
    }

    @Test
    void theRunTableCoversEveryReason() {
        assertThat(RunTerminationReason.values()).hasSize(7);
    }

    @Test
    void runErrorsAreDstacksShortTexts() {
        assertThat(RunTerminationReason.RETRY_LIMIT_EXCEEDED.toError()).isEqualTo("retry limit exceeded");
        assertThat(RunTerminationReason.SERVER_ERROR.toError()).isEqualTo("server error");
        assertThat(RunTerminationReason.GATEWAY_ERROR.toError()).isEqualTo("gateway error");
        assertThat(RunTerminationReason.JOB_FAILED.toError()).isNull();
    }

    @ParameterizedTest
    @EnumSource(JobTerminationReason.class)
    void unknownAndNullReasonsAreNotGuessed(JobTerminationReason known) {
        assertThat(JobTerminationReason.fromWireValue(known.wireValue() + "_v2")).isNull();
        assertThat(JobTerminationReason.fromWireValue(null)).isNull();
        assertThat(RunTerminationReason.fromWireValue("paused_by_scheduler")).isNull();
    }
}
