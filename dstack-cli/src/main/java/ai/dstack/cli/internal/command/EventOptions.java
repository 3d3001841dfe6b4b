package ai.dstack.cli.internal.command;

import ai.dstack.api.event.Event;
import ai.dstack.api.event.EventTarget;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** What {@code dstack event} and {@code dstack event list} share: the filters, the output and {@code --watch}. */
final class EventOptions {
    private static final long WATCH_INTERVAL_MILLIS = 1000;
    private static final int PAGE = 100;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Option(names = "--within-run", paramLabel = "RUN", description = "Only events about this run and its jobs.")
    String withinRun;

    @Option(names = "--within-fleet", paramLabel = "FLEET", description = "Only events about this fleet and its instances.")
    String withinFleet;

    @Option(names = "--target-run", paramLabel = "RUN", description = "Only events about this run itself.")
    String targetRun;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only events after TIME: a duration back from now (30s, 10m, 2h, 1d, 1w) or an ISO time.")
    String since;

    @Option(names = {"-w", "--watch"}, description = "Keep printing new events as they come, until interrupted.")
    boolean watch;

    @Option(names = "--watch-count", hidden = true, paramLabel = "N")
    Integer watchCount;

    int run(DstackProject project, PrintWriter out) throws InterruptedException {
        ListEventsRequest request = ListEventsRequest.all(PAGE).ascending(true);
        if (withinRun != null) {
            request = request.withinRuns(List.of(project.getRun(withinRun).id()));
        } else if (withinFleet != null) {
            request = request.withinFleets(List.of(project.getFleet(withinFleet).id()));
        } else if (targetRun != null) {
            request = request.targetRuns(List.of(project.getRun(targetRun).id()));
        } else {
            request = request.withinProjects(List.of(project.get().projectId()));
        }
        if (since != null) {
            Instant start = LogsCommand.parseSince(since, Instant.now());
            request = request.since(start);
        }
        for (int polls = 1; ; polls++) {
            for (List<Event> page = project.client().listEvents(request); !page.isEmpty();
                    page = project.client().listEvents(request)) {
                page.forEach(event -> out.println(line(event)));
                request = request.after(page.get(page.size() - 1));
                if (page.size() < PAGE) {
                    break;
                }
            }
            out.flush();
            if (!watch || (watchCount != null && polls >= watchCount)) {
                return ExitStatus.OK;
            }
            Thread.sleep(WATCH_INTERVAL_MILLIS);
        }
    }

    /** dstack's line: {@code [time] [👤actor] [run NAME, job NAME] message}. */
    static String line(Event event) {
        StringBuilder line = new StringBuilder();
        line.append('[').append(TIME.format(event.recordedAt().atZone(ZoneId.systemDefault()))).append("] ");
        if (event.actorUser() != null) {
            line.append("[\uD83D\uDC64").append(event.actorUser()).append("] ");
        }
        line.append('[').append(event.targets().stream().map(EventOptions::target).collect(Collectors.joining(", ")))
                .append("] ").append(event.message());
        return line.toString();
    }

    private static String target(EventTarget target) {
        return target.type() + " " + target.name();
    }
}
