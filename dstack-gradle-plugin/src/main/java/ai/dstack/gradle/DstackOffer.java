package ai.dstack.gradle;

import ai.dstack.build.internal.RunCommands;
import java.io.File;
import org.gradle.api.file.RegularFileProperty;
import org.gradle.api.provider.Property;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFile;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

/** Lists offers as {@code dstack offer} does: for a configuration's resources, or for any task. */
public abstract class DstackOffer extends DstackTask {
    public DstackOffer() {
        setDescription("Lists the offers for a dstack configuration's resources.");
        getMaxOffers().convention(10);
    }

    @InputFile
    @Optional
    @PathSensitive(PathSensitivity.RELATIVE)
    public abstract RegularFileProperty getConfigurationFile();

    @Input
    public abstract Property<Integer> getMaxOffers();

    @TaskAction
    public void offers() {
        File file = getConfigurationFile().getAsFile().getOrNull();
        String shownAs = file == null ? null : shownAs(file);
        withProject(project -> new RunCommands(project, this::log)
                .offers(file == null ? null : file.toPath(), shownAs, getMaxOffers().get()));
    }
}
