package ai.dstack.gradle;

import ai.dstack.build.internal.RunApplier;
import java.io.File;
import org.gradle.api.file.RegularFileProperty;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFile;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;
import org.gradle.api.tasks.options.Option;

/**
 * Submits a run configuration as {@code dstack apply -y} does, streams the run's output into the build's output
 * until it ends, and fails the build unless it ended {@code done}; {@code detach} returns once submitted. Register
 * one per run:
 *
 * <pre>{@code
 * tasks.register<ai.dstack.gradle.DstackApply>("train") { configurationFile = file("train.dstack.yml") }
 * }</pre>
 */
public abstract class DstackApply extends DstackTask {
    public DstackApply() {
        setDescription("Applies a dstack run configuration and follows its output until it ends.");
        getDetach().convention(false);
    }

    /** The configuration file. */
    @InputFile
    @PathSensitive(PathSensitivity.RELATIVE)
    public abstract RegularFileProperty getConfigurationFile();

    /** The run name; by default the file's {@code name:} or a generated one. */
    @Input
    @Optional
    @Option(option = "run-name", description = "The run name.")
    public abstract Property<String> getRunName();

    /** Return once the run is submitted. */
    @Input
    @Option(option = "detach", description = "Return once the run is submitted.")
    public abstract Property<Boolean> getDetach();

    @TaskAction
    public void apply() {
        File file = getConfigurationFile().get().getAsFile();
        String shownAs = shownAs(file);
        withProject(project -> new RunApplier(project, this::log)
                .apply(file.toPath(), shownAs, getRunName().getOrNull(), getDetach().get()));
    }
}
