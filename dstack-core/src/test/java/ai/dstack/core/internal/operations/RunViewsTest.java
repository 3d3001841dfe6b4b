package ai.dstack.core.internal.operations;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.spi.storage.JobRow;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dstack's job status messages, derived from status, termination reason and exit code. */
class RunViewsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "done       | done_by_runner                     | 0 | -                             | exited (0)",
        "failed     | container_exited_with_error        | 3 | -                             | exited (3)",
        "failed     | failed_to_start_due_to_no_capacity | - | No matching fleet found. x    | no fleets",
        "failed     | failed_to_start_due_to_no_capacity | - | Fleet local has no free capacity | no capacity",
        "failed     | interrupted_by_no_capacity         | - | -                             | interrupted",
        "failed     | executor_error                     | - | -                             | error",
        "terminated | terminated_by_user                 | - | -                             | stopped",
        "aborted    | aborted_by_user                    | - | -                             | aborted",
        "running    | -                                  | - | -                             | running",
        "submitted  | -                                  | - | -                             | submitted",
    })
    void jobStatusMessages(String status, String reason, Integer exit, String message, String expected) {
        JobRow row = JobRow.builder().id(UUID.randomUUID()).projectId(UUID.randomUUID()).runId(UUID.randomUUID())
                .runName("r").jobName("r-0-0").status(status).terminationReason(reason).exitStatus(exit)
                .terminationReasonMessage(message).submittedAt(Instant.EPOCH).lastProcessedAt(Instant.EPOCH)
                .jobSpecData("{}").build();
        assertThat(RunViews.jobStatusMessage(JobStatus.fromWireValue(status), JobTerminationReason.fromWireValue(reason), row))
                .isEqualTo(expected);
    }
}
