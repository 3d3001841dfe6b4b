package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives written here are read by GNU tar (the engine reads them with Commons Compress: dstack-core's TarExtractorTest). */
class TarArchivesTest {
    @TempDir
    Path dir;

    private static final String LONG = "a-directory-name-long-enough/" + "x".repeat(90) + "/ünïcode-file.txt";

    private Path tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("src/data"));
        Files.writeString(root.resolve("small.txt"), "small\n");
        Path deep = root.resolve(LONG);
        Files.createDirectories(deep.getParent());
        Files.writeString(deep, "deep\n");
        Files.writeString(Files.createDirectories(root.resolve(".git")).resolve("HEAD"), "ref: refs/heads/main\n");
        Path script = Files.writeString(root.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        script.toFile().setExecutable(true);
        return root;
    }

    private static String gnuTar(Path directory, String... args) throws Exception {
        Process process = new ProcessBuilder(List.of(args)).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void gnuTarUnpacksWhatTheWriterPacksLongAndUnicodeNamesIncluded() throws Exception {
        Path root = tree();
        Path archive = Files.write(dir.resolve("out.tar"), new TarWriter().add(root, "data").toByteArray());
        Path target = Files.createDirectories(dir.resolve("gnu"));

        gnuTar(target, "tar", "-xf", archive.toString());

        assertThat(Files.readString(target.resolve("data/small.txt"))).isEqualTo("small\n");
        assertThat(Files.readString(target.resolve("data").resolve(LONG))).isEqualTo("deep\n");
        assertThat(Files.isExecutable(target.resolve("data/run.sh"))).isTrue();
        assertThat(target.resolve("data/.git")).doesNotExist();
    }
}
