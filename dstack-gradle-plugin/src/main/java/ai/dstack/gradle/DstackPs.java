package ai.dstack.gradle;

import ai.dstack.build.internal.RunCommands;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.TaskAction;
import org.gradle.api.tasks.options.Option;

/** Lists the project's runs as {@code dstack ps} does; {@code all} for {@code -a}. */
public abstract class DstackPs extends DstackTask {
    public DstackPs() {
        setDescription("Lists dstack runs.");
        getAll().convention(false);
    }

    @Input
    @Option(option = "all", description = "Finished runs too.")
    public abstract Property<Boolean> getAll();

    @TaskAction
    public void ps() {
        withProject(project -> new RunCommands(project, this::log).ps(getAll().get()));
    }
}
