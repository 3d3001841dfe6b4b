package ai.dstack.examples;

import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.FollowLogsRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Follows a run's output as it is written, as {@code dstack attach} shows it, and returns when the run ends; a run
 * that is retried continues with its new submission's output.
 *
 * <pre>java ai.dstack.examples.FollowLogs http://127.0.0.1:3000 TOKEN RUN_NAME</pre>
 */
public final class FollowLogs {
    private FollowLogs() {}

    public static void main(String[] args) throws InterruptedException {
        try (DstackClient dstack = Dstack.remote(args[0], args[1], "main")) {
            FollowLogsRequest request = FollowLogsRequest.newBuilder(args[2]).pollInterval(Duration.ofMillis(200)).build();
            Run ended = dstack.project().followLogs(request, event ->
                    System.out.print("| " + new String(event.messageBytes(), StandardCharsets.UTF_8)));
            System.out.println(ended.runSpec().runName() + " ended " + ended.status().wireValue() + why(ended));
        }
    }

    /** Why a run ended other than done: the latest job's termination reason and message, as {@code dstack ps -v}. */
    private static String why(Run ended) {
        JobSubmission latest = ended.latestJobSubmission();
        if (latest == null || latest.terminationReason() == null || ended.status() == RunStatus.DONE) {
            return "";
        }
        return " (" + latest.terminationReason()
                + (latest.terminationReasonMessage() == null ? "" : ": " + latest.terminationReasonMessage()) + ")";
    }
}
