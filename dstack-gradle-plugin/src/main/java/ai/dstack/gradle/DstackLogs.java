package ai.dstack.gradle;

import ai.dstack.build.internal.RunCommands;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.TaskAction;
import org.gradle.api.tasks.options.Option;

/** Prints a run's output as {@code dstack logs} does; {@code follow} keeps following until the run ends. */
public abstract class DstackLogs extends DstackTask {
    public DstackLogs() {
        setDescription("Prints a dstack run's output.");
        getFollow().convention(false);
    }

    @Input
    @Optional
    @Option(option = "run-name", description = "The run.")
    public abstract Property<String> getRunName();

    @Input
    @Option(option = "follow", description = "Follow until the run ends.")
    public abstract Property<Boolean> getFollow();

    @TaskAction
    public void logs() {
        withProject(project -> new RunCommands(project, this::log).logs(getRunName().getOrNull(), getFollow().get()));
    }
}
