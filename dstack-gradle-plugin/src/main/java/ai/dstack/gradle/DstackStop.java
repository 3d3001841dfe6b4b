package ai.dstack.gradle;

import ai.dstack.build.internal.RunCommands;
import org.gradle.api.provider.ListProperty;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.TaskAction;
import org.gradle.api.tasks.options.Option;

/** Stops runs as {@code dstack stop} does; {@code abort} for {@code --abort}. */
public abstract class DstackStop extends DstackTask {
    public DstackStop() {
        setDescription("Stops dstack runs.");
        getAbort().convention(false);
    }

    @Input
    @Option(option = "run-name", description = "A run to stop (repeatable).")
    public abstract ListProperty<String> getRunNames();

    @Input
    @Option(option = "abort", description = "Abort instead of stopping gracefully.")
    public abstract Property<Boolean> getAbort();

    @TaskAction
    public void stop() {
        withProject(project -> new RunCommands(project, this::log).stop(getRunNames().get(), getAbort().get()));
    }
}
