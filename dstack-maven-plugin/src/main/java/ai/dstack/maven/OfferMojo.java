package ai.dstack.maven;

import ai.dstack.build.internal.ConfigurationFiles;
import ai.dstack.build.internal.RunCommands;
import java.io.File;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Lists offers as {@code dstack offer} does: for a configuration's resources, or for any task. */
@Mojo(name = "offer", threadSafe = true, requiresProject = false)
public class OfferMojo extends AbstractDstackMojo {
    @Parameter(defaultValue = "${basedir}", readonly = true)
    File basedir;

    /** A run configuration whose resources the offers must fit; none for any task. */
    @Parameter(property = "dstack.file")
    File file;

    /** At most this many offers. */
    @Parameter(property = "dstack.maxOffers", defaultValue = "10")
    int maxOffers;

    @Override
    void run() throws InterruptedException {
        withProject(project -> new RunCommands(project, getLog()::info).offers(file == null ? null : file.toPath(),
                file == null ? null : ConfigurationFiles.shownAs(file.toPath(), basedir.toPath()), maxOffers));
    }
}
