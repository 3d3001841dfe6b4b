package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.client.DstackClient;
import ai.dstack.client.FollowLogsRequest;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Follows one job's logs until its run finishes, with nothing but {@code runs/get} and {@code logs/poll}, so it works
 * against any {@link DstackClient}.
 *
 * <p>Pages are chained with {@code next_token}. Once the server has no more ({@code next_token} null), the next poll
 * asks for logs after the last timestamp seen ({@code start_time} is exclusive). A line written later with exactly
 * that timestamp would be skipped; dstack's timestamps have millisecond or finer resolution, so this needs two lines
 * in the same instant split across a poll.
 */
public final class LogFollower {
    private final DstackClient client;
    private final String project;
    private final FollowLogsRequest request;
    private final Consumer<? super LogEvent> sink;

    public LogFollower(DstackClient client, String project, FollowLogsRequest request, Consumer<? super LogEvent> sink) {
        this.client = Objects.requireNonNull(client, "client is null");
        this.project = Objects.requireNonNull(project, "project is null");
        this.request = Objects.requireNonNull(request, "request is null");
        this.sink = Objects.requireNonNull(sink, "sink is null");
    }

    /** Delivers logs until the run is finished and its logs are drained; returns the finished run. */
    public Run follow() throws InterruptedException {
        Run run = client.getRun(project, request.runName());
        JobSubmission submission = latestSubmission(run);
        while (submission == null && !run.status().isFinished()) {
            pause();
            run = client.getRun(project, request.runName());
            submission = latestSubmission(run);
        }
        if (submission == null) {
            return run; // finished before the job was ever submitted: no logs
        }
        Instant startTime = request.startTime();
        String nextToken = null;
        boolean finished = run.status().isFinished();
        while (true) {
            JobSubmissionLogs page = client.pollLogs(project, poll(submission.id(), startTime, nextToken));
            for (LogEvent event : page.logs()) {
                sink.accept(event);
            }
            if (page.nextToken() != null) {
                nextToken = page.nextToken();
                continue;
            }
            if (!page.logs().isEmpty()) {
                startTime = page.logs().get(page.logs().size() - 1).timestamp();
            }
            nextToken = null;
            if (finished) {
                return run;
            }
            pause();
            run = client.getRun(project, request.runName());
            JobSubmission latest = latestSubmission(run);
            if (latest != null && !latest.id().equals(submission.id())) {
                // The job was resubmitted: drain the old submission once more, then follow the new one from its start.
                drain(submission.id(), startTime);
                submission = latest;
                startTime = request.startTime();
            }
            // The status is read before the last poll, so every line written before the run finished is in it.
            finished = run.status().isFinished();
        }
    }

    private void drain(UUID submissionId, Instant startTime) {
        String nextToken = null;
        do {
            JobSubmissionLogs page = client.pollLogs(project, poll(submissionId, startTime, nextToken));
            page.logs().forEach(sink);
            nextToken = page.nextToken();
        } while (nextToken != null);
    }

    private PollLogsRequest poll(UUID submissionId, Instant startTime, String nextToken) {
        return PollLogsRequest.newBuilder(request.runName(), submissionId)
                .startTime(startTime)
                .nextToken(nextToken)
                .limit(PollLogsRequest.MAX_LIMIT)
                .diagnose(request.diagnose())
                .build();
    }

    private JobSubmission latestSubmission(Run run) {
        for (Job job : run.jobs()) {
            if (job.jobSpec().replicaNum() == request.replicaNum() && job.jobSpec().jobNum() == request.jobNum()) {
                return job.latestSubmission();
            }
        }
        if (run.jobs().isEmpty()) {
            return null;
        }
        throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Run " + request.runName() + " has no job "
                + request.jobNum() + " in replica " + request.replicaNum());
    }

    private void pause() throws InterruptedException {
        Thread.sleep(request.pollInterval().toMillis());
    }
}
