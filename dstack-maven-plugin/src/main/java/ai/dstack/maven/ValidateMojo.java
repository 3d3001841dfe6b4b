package ai.dstack.maven;

import ai.dstack.build.internal.ConfigurationFiles;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Checks every {@code .dstack.yml} / {@code *.dstack.yml} of the project (outside {@code target/}, {@code build/}
 * and hidden directories) as {@code dstack validate} does, and fails the build listing each problem as
 * {@code FILE:LINE:COL: FIELD: MESSAGE}. Needs no server.
 */
@Mojo(name = "validate", defaultPhase = LifecyclePhase.VALIDATE, threadSafe = true, requiresProject = false)
public class ValidateMojo extends AbstractDstackMojo {
    @Parameter(defaultValue = "${basedir}", readonly = true)
    File basedir;

    /** The files to check instead of every configuration under the project directory. */
    @Parameter(property = "dstack.files")
    List<File> files;

    @Override
    void run() throws MojoFailureException {
        Path base = basedir.toPath();
        List<Path> checked = files == null || files.isEmpty()
                ? ConfigurationFiles.find(base)
                : files.stream().map(File::toPath).toList();
        List<String> problems = new ArrayList<>();
        for (Path file : checked) {
            List<String> found = ConfigurationFiles.problems(file, ConfigurationFiles.shownAs(file, base));
            found.forEach(getLog()::error);
            problems.addAll(found);
        }
        if (!problems.isEmpty()) {
            throw new MojoFailureException("dstack: " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                    + " in the configurations:" + System.lineSeparator() + String.join(System.lineSeparator(), problems));
        }
        getLog().info("dstack: " + checked.size() + " configuration" + (checked.size() == 1 ? "" : "s") + " valid");
    }
}
