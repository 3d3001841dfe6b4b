package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobArchive;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Uploaded archives as GNU tar and other writers make them; unsafe or cut short ones never unpack in part. */
class TarExtractorTest {
    @TempDir
    Path dir;

    private static final String LONG = "a-directory-name-long-enough/" + "x".repeat(90) + "/ünïcode-file.txt";

    private Path tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("src/data"));
        Files.writeString(root.resolve("small.txt"), "small\n");
        Path deep = root.resolve(LONG);
        Files.createDirectories(deep.getParent());
        Files.writeString(deep, "deep\n");
        Path script = Files.writeString(root.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        script.toFile().setExecutable(true);
        Files.createSymbolicLink(root.resolve("readme-link"), Path.of("small.txt"));
        return root;
    }

    private static void gnuTar(Path directory, String... args) throws Exception {
        Process process = new ProcessBuilder(List.of(args)).directory(directory.toFile()).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** An archive of entries written as given: names are not cleaned, so unsafe ones can be made. */
    private static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar() {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Tar file(String name, String content) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(name, true);
            entry.setSize(data.length);
            entry.setMode(0644);
            out.putArchiveEntry(entry);
            out.write(data);
            out.closeArchiveEntry();
            return this;
        }

        Tar link(String name, String target, byte type) throws IOException {
            TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
            entry.setLinkName(target);
            out.putArchiveEntry(entry);
            out.closeArchiveEntry();
            return this;
        }

        byte[] bytes() throws IOException {
            out.close();
            return bytes.toByteArray();
        }
    }

    private Path target(String name) {
        return dir.resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pax", "gnu"})
    void unpacksWhatGnuTarPacksWithARenameLongAndUnicodeNamesAndLinksIncluded(String format) throws Exception {
        tree();
        gnuTar(dir.resolve("src"), "tar", "--format=" + format, "-cf", dir.resolve("gnu.tar").toString(), "data");
        Path target = target("unpacked");

        UnaryOperator<String> rename = name -> name.replaceFirst("^data", "inputs");
        TarExtractor.extract(Files.readAllBytes(dir.resolve("gnu.tar")), target, rename);

        assertThat(Files.readString(target.resolve("inputs/small.txt"))).isEqualTo("small\n");
        assertThat(Files.readString(target.resolve("inputs").resolve(LONG))).isEqualTo("deep\n");
        assertThat(Files.isExecutable(target.resolve("inputs/run.sh"))).isTrue();
        assertThat(Files.readSymbolicLink(target.resolve("inputs/readme-link"))).isEqualTo(Path.of("small.txt"));
    }

    @Test
    void entriesThatWouldLeaveTheTargetAreRefused() throws Exception {
        byte[] escaping = new Tar().file("../outside.txt", "x").bytes();
        assertThatThrownBy(() -> TarExtractor.extract(escaping, target("t1"), n -> n))
                .isInstanceOf(IOException.class).hasMessageContaining("points outside the target directory");
        byte[] absolute = new Tar().file("/etc/outside.txt", "x").bytes();
        assertThatThrownBy(() -> TarExtractor.extract(absolute, target("t2"), n -> n))
                .isInstanceOf(IOException.class).hasMessageContaining("absolute path");
        assertThat(dir.resolve("outside.txt")).doesNotExist();
    }

    @Test
    void symbolicLinksPointingOutAreRefusedAndNothingIsWrittenThroughALink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        byte[] absoluteLink = new Tar().link("etc", outside.toString(), TarConstants.LF_SYMLINK).bytes();
        byte[] relativeLink = new Tar().file("first.txt", "1").link("sub/up", "../../outside", TarConstants.LF_SYMLINK)
                .bytes();
        byte[] insideThenThrough = new Tar().link("here", ".", TarConstants.LF_SYMLINK)
                .file("here/through.txt", "x").bytes();

        assertThatThrownBy(() -> TarExtractor.extract(absoluteLink, target("t1"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive entry 'etc' is a symbolic link to '" + outside
                        + "', outside the target directory");
        assertThatThrownBy(() -> TarExtractor.extract(relativeLink, target("t2"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive entry 'sub/up' is a symbolic link to '../../outside', outside the target"
                        + " directory");
        assertThat(target("t2")).isEmptyDirectory();
        assertThatThrownBy(() -> TarExtractor.extract(insideThenThrough, target("t3"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive entry 'here/through.txt' goes through the symbolic link 'here'");
        assertThat(outside).isEmptyDirectory();
        assertThat(target("t3").resolve("through.txt")).doesNotExist();
    }

    @Test
    void hardLinksAreMadeOnlyToFilesUnpackedBeforeThem() throws Exception {
        byte[] inside = new Tar().file("a.txt", "same").link("b.txt", "a.txt", TarConstants.LF_LINK).bytes();
        byte[] toOutside = new Tar().file("first.txt", "1").link("passwd", "../../etc/passwd", TarConstants.LF_LINK)
                .bytes();

        TarExtractor.extract(inside, target("t1"), n -> n);
        assertThat(Files.readString(target("t1").resolve("b.txt"))).isEqualTo("same");
        assertThat(Files.isSameFile(target("t1").resolve("a.txt"), target("t1").resolve("b.txt"))).isTrue();
        assertThatThrownBy(() -> TarExtractor.extract(toOutside, target("t2"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive entry 'passwd' is a hard link to '../../etc/passwd', outside the target"
                        + " directory");
        assertThat(target("t2")).isEmptyDirectory(); // refused before anything was written
    }

    @Test
    void anArchiveCutInAnEntrysDataIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] whole = new Tar().file("first.txt", "one").file("f.bin", "x".repeat(5000)).bytes();
        byte[] cut = Arrays.copyOf(whole, 4096);

        assertThatThrownBy(() -> TarExtractor.extract(cut, target("t"), n -> n))
                .isInstanceOf(IOException.class).hasMessageStartingWith("the archive is cut short in the entry 'f.bin'");
        assertThat(target("t")).isEmptyDirectory();
    }

    @Test
    void anArchiveCutInAHeaderOrBeforeItsEndBlocksIsRefused() throws Exception {
        byte[] whole = new Tar().file("first.txt", "one").file("second.txt", "two").bytes();
        byte[] inSecondHeader = Arrays.copyOf(whole, 512 + 512 + 300); // first header, first data, part of a header
        byte[] beforeEndBlocks = Arrays.copyOf(whole, 4 * 512); // both entries whole, no end-of-archive blocks

        assertThatThrownBy(() -> TarExtractor.extract(inSecondHeader, target("t1"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive is cut short after the entry 'first.txt': it ends without tar's"
                        + " end-of-archive blocks");
        assertThatThrownBy(() -> TarExtractor.extract(beforeEndBlocks, target("t2"), n -> n))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive is cut short after the entry 'second.txt': it ends without tar's"
                        + " end-of-archive blocks");
        assertThatThrownBy(() -> TarExtractor.extract(new byte[0], target("t3"), n -> n))
                .isInstanceOf(IOException.class).hasMessageContaining("cut short");
    }

    @Test
    void aJobWhoseArchiveIsCutShortDoesNotStartAndSaysWhy() throws Exception {
        byte[] cut = Arrays.copyOf(new Tar().file("data.csv", "x".repeat(5000)).bytes(), 2048);
        byte[] good = new Tar().file("data.csv", "a,b\n").bytes();
        try (LocalHostExecutor host = new LocalHostExecutor(dir.resolve("host"))) {
            JobLaunch refused = JobLaunch.of("cut", List.of("cat data/data.csv"))
                    .withArchives(List.of(new JobArchive("data", cut, false)));

            assertThatThrownBy(() -> host.start(refused))
                    .isInstanceOfSatisfying(HostExecutionException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageStartingWith("job cut: cannot unpack the archive for 'data': the archive is cut short"
                            + " in the entry 'data.csv'");

            JobHandle job = host.start(JobLaunch.of("whole", List.of("cat data/data.csv"))
                    .withArchives(List.of(new JobArchive("data", good, false))));
            LocalHostExecutorTest.awaitFinished(host, job);
            assertThat(LocalHostExecutorTest.output(host, job, LogStream.STDOUT)).isEqualTo("a,b\n");
            LocalHostExecutorTest.awaitWrappersGone(host);
        }
    }
}
