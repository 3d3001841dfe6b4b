package ai.dstack.cli.internal.command;

import ai.dstack.client.DstackProject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dstack event [list]}: what happened to the project's runs, jobs and fleets, oldest first; {@code -w} keeps
 * printing new events. Without a filter, every event about the project's resources.
 */
@Command(name = "event", description = "Show what happened to runs, jobs, fleets and instances.",
        subcommands = EventCommand.ListCommand.class)
public final class EventCommand extends ClientCommand {
    @Mixin
    EventOptions options;

    @Override
    int run(DstackProject project) throws InterruptedException {
        return options.run(project, out());
    }

    /** {@code dstack event list}: the same as {@code dstack event}. */
    @Command(name = "list", description = "Show what happened to runs, jobs, fleets and instances.")
    public static final class ListCommand extends ClientCommand {
        @Mixin
        EventOptions options;

        @Override
        int run(DstackProject project) throws InterruptedException {
            return options.run(project, out());
        }
    }
}
