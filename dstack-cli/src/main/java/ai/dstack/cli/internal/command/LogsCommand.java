package ai.dstack.cli.internal.command;

import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack logs RUN}: the output of the run's job so far (no following: see {@code dstack attach}). */
@Command(name = "logs", description = "Print the output of a run's job so far.")
public final class LogsCommand extends ClientCommand {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhdw])");

    @Parameters(paramLabel = "RUN", description = "The run name.")
    String runName;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only lines after TIME: a duration back from now (30s, 10m, 2h, 1d, 1w) or an ISO time "
                    + "(2025-01-02T03:04:05Z).")
    String since;

    @Option(names = {"-d", "--diagnose"}, description = "Show the run's diagnostic logs (the runner's) instead of its output.")
    boolean diagnose;

    @Option(names = "--replica", paramLabel = "N", description = "The replica number (default 0).")
    int replica;

    @Option(names = "--job", paramLabel = "N", description = "The job number inside the replica (default 0).")
    int jobNum;

    @Override
    int run(DstackProject project) {
        Instant start = since == null ? null : parseSince(since, Instant.now());
        Run run = project.getRun(runName);
        Job job = run.jobs().stream()
                .filter(j -> j.jobSpec().replicaNum() == replica && j.jobSpec().jobNum() == jobNum)
                .findFirst()
                .orElseThrow(() -> CliException.failure("Run " + runName + " has no job " + jobNum + " in replica "
                        + replica + (run.jobs().isEmpty() ? " (it has no jobs yet)" : "")));
        JobSubmission submission = job.latestSubmission();
        if (submission == null) {
            return ExitStatus.OK;
        }
        PollLogsRequest request = PollLogsRequest.newBuilder(runName, submission.id())
                .startTime(start)
                .limit(PollLogsRequest.MAX_LIMIT)
                .diagnose(diagnose)
                .build();
        while (true) {
            JobSubmissionLogs page = project.pollLogs(request);
            for (LogEvent event : page.logs()) {
                out().print(new String(event.messageBytes(), StandardCharsets.UTF_8));
            }
            if (page.nextToken() == null) {
                break;
            }
            request = request.withNextToken(page.nextToken());
        }
        out().flush();
        return ExitStatus.OK;
    }

    static Instant parseSince(String value, Instant now) {
        Matcher duration = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (duration.matches()) {
            long amount = Long.parseLong(duration.group(1));
            Duration unit = switch (duration.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            return now.minus(unit.multipliedBy(amount));
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return Instant.parse(value.strip());
            } catch (DateTimeParseException e) {
                throw CliException.usage("invalid --since '" + value + "': expected a duration such as 10m, 2h or 1d, "
                        + "or an ISO time such as 2025-01-02T03:04:05Z");
            }
        }
    }
}
