package ai.dstack.gradle;

import ai.dstack.build.internal.ConfigurationFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.file.ConfigurableFileCollection;
import org.gradle.api.file.DirectoryProperty;
import org.gradle.api.file.RegularFileProperty;
import org.gradle.api.tasks.CacheableTask;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Internal;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

/**
 * Checks configuration files as {@code dstack validate} does and fails the build listing every problem as
 * {@code FILE:LINE:COL: FIELD: MESSAGE}. Needs no server. Cacheable: its inputs are the files, its output the
 * report, so an unchanged set of valid files is not checked again.
 */
@CacheableTask
public abstract class DstackValidate extends DefaultTask {
    public DstackValidate() {
        setGroup("dstack");
        setDescription("Validates the project's .dstack.yml / *.dstack.yml files.");
    }

    /** The files to check; by default every {@code .dstack.yml} / {@code *.dstack.yml} outside build outputs. */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public abstract ConfigurableFileCollection getConfigurationFiles();

    /** What messages name files relative to: the project directory. */
    @Internal
    public abstract DirectoryProperty getBaseDirectory();

    /** One line per file checked: {@code OK FILE}, or its problems. */
    @OutputFile
    public abstract RegularFileProperty getReport();

    @TaskAction
    public void validate() {
        File base = getBaseDirectory().get().getAsFile();
        List<String> report = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<File> files = new ArrayList<>(getConfigurationFiles().getFiles());
        files.sort(null);
        for (File file : files) {
            String shownAs = ConfigurationFiles.shownAs(file.toPath(), base.toPath());
            List<String> found = ConfigurationFiles.problems(file.toPath(), shownAs);
            if (found.isEmpty()) {
                report.add("OK " + shownAs);
            } else {
                report.addAll(found);
                problems.addAll(found);
            }
        }
        try {
            File out = getReport().get().getAsFile();
            Files.createDirectories(out.toPath().getParent());
            Files.write(out.toPath(), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!problems.isEmpty()) {
            throw new GradleException("dstack: " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                    + " in the configurations:" + System.lineSeparator() + String.join(System.lineSeparator(), problems));
        }
        getLogger().info("dstack: {} configuration{} valid", files.size(), files.size() == 1 ? "" : "s");
    }
}
