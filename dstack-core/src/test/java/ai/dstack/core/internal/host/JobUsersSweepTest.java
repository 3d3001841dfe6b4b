package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs directories of server directories that are gone are removed; the others stay. */
class JobUsersSweepTest {
    @TempDir
    Path dir;

    @Test
    void aJobsDirectoryWhoseServerLinkIsGoneIsRemovedAndTheOthersStay() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Path kept = Files.createDirectories(base.resolve("kept"));
        Files.createDirectories(kept.resolve("job-1"));
        Path link = dir.resolve("server").resolve("local").resolve("jobs");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, kept);
        Files.writeString(kept.resolve(".server"), link + "\n");

        Path orphan = Files.createDirectories(base.resolve("orphan"));
        Files.createDirectories(orphan.resolve("job-2").resolve("workdir"));
        Files.writeString(orphan.resolve(".server"), dir.resolve("deleted-server/local/jobs") + "\n");

        Path relinked = Files.createDirectories(base.resolve("relinked"));
        Path other = dir.resolve("other").resolve("jobs");
        Files.createDirectories(other.getParent());
        Files.createSymbolicLink(other, kept); // the link now leads elsewhere
        Files.writeString(relinked.resolve(".server"), other + "\n");

        Path unknown = Files.createDirectories(base.resolve("unknown"));

        JobUsers.sweepOrphans(base);

        assertThat(kept.resolve("job-1")).isDirectory();
        assertThat(orphan).doesNotExist();
        assertThat(relinked).doesNotExist();
        assertThat(unknown).as("a directory without a .server file is not ours to judge").isDirectory();
    }
}
