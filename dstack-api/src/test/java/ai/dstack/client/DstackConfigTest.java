package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ~/.dstack/config.yml} read and written in the format dstack's CLI writes (PyYAML, keys sorted). */
class DstackConfigTest {
    /** What dstack writes after {@code dstack server} and {@code dstack project add --name gpu ...}. */
    private static final String DSTACK_WRITTEN = """
            projects:
            - default: true
              name: main
              token: bbae0f28-d3dd-4820-bf61-8f4bb40815da
              url: http://127.0.0.1:3000
            - default: false
              name: gpu
              token: 4d9c0e7a-1b2f-4c3d-8e5f-6a7b8c9d0e1f
              url: https://sky.dstack.ai
            """;

    @TempDir
    Path home;

    private Path write(String text) throws IOException {
        Path file = home.resolve(".dstack/config.yml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void dstacksFileIsReadAndWrittenBackByteForByte() throws IOException {
        Path file = write(DSTACK_WRITTEN);

        DstackConfig config = DstackConfig.load(file);
        config.save();

        assertThat(config.projects()).containsExactly(
                new ProjectConfig("main", "http://127.0.0.1:3000", "bbae0f28-d3dd-4820-bf61-8f4bb40815da", true),
                new ProjectConfig("gpu", "https://sky.dstack.ai", "4d9c0e7a-1b2f-4c3d-8e5f-6a7b8c9d0e1f", false));
        assertThat(config.defaultProject()).map(ProjectConfig::name).hasValue("main");
        assertThat(config.project("gpu")).map(ProjectConfig::url).hasValue("https://sky.dstack.ai");
        assertThat(Files.readString(file)).isEqualTo(DSTACK_WRITTEN);
    }

    @Test
    void theLegacyReposKeyNullDefaultsAndQuotedTokensAreRead() throws IOException {
        Path file = write("""
                projects:
                - default: null
                  name: gpu
                  token: '12345'
                  url: https://sky.dstack.ai
                repos:
                - path: /home/me/repo
                  repo_id: abc
                  repo_type: remote
                """);

        DstackConfig config = DstackConfig.load(file);

        assertThat(config.projects()).containsExactly(new ProjectConfig("gpu", "https://sky.dstack.ai", "12345", false));
        assertThat(config.defaultProject()).isEmpty();
        assertThat(config.toYaml()).doesNotContain("repos");
    }

    @Test
    void aTokenOfDigitsStaysAStringThroughAWriteAndARead() {
        Path file = home.resolve("config.yml");
        DstackConfig.empty(file).withProject("main", "http://127.0.0.1:3000", "012345", true).save();

        assertThat(DstackConfig.load(file).project("main")).map(ProjectConfig::token).hasValue("012345");
    }

    @Test
    void aMissingFileIsAnEmptyConfigurationAndSavingCreatesItReadableByItsOwnerOnly() throws IOException {
        Path file = home.resolve("nested/.dstack/config.yml");

        DstackConfig config = DstackConfig.load(file);
        assertThat(config.projects()).isEmpty();
        assertThat(config.toYaml()).isEqualTo("projects: []\n");

        config.withProject("main", "http://127.0.0.1:3000", "t", false).save();

        assertThat(Files.readString(file)).isEqualTo("""
                projects:
                - default: true
                  name: main
                  token: t
                  url: http://127.0.0.1:3000
                """);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (var siblings = Files.list(file.getParent())) {
            assertThat(siblings).containsExactly(file);
        }
    }

    @Test
    void addingAProjectAsDefaultClearsTheOtherDefaults() {
        DstackConfig config = DstackConfig.empty(home.resolve("c.yml"))
                .withProject("main", "http://a", "t1", true)
                .withProject("gpu", "http://b", "t2", true);

        assertThat(config.projects()).extracting(ProjectConfig::name, ProjectConfig::isDefault)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("main", false), org.assertj.core.groups.Tuple.tuple("gpu", true));
    }

    @Test
    void updatingAProjectKeepsItsPlaceAndItsDefaultFlag() {
        DstackConfig config = DstackConfig.empty(home.resolve("c.yml"))
                .withProject("main", "http://a", "t1", true)
                .withProject("gpu", "http://b", "t2", false)
                .withProject("main", "http://a2", "t3", false);

        assertThat(config.projects()).containsExactly(
                new ProjectConfig("main", "http://a2", "t3", true),
                new ProjectConfig("gpu", "http://b", "t2", false));
        assertThat(config.withoutProject("main").projects()).extracting(ProjectConfig::name).containsExactly("gpu");
    }

    @Test
    void theTokenIsNotPrinted() {
        assertThat(new ProjectConfig("main", "http://a", "secret-token", true).toString()).doesNotContain("secret-token");
    }

    @Test
    void invalidYamlNamesTheFileAndTheLine() throws IOException {
        Path file = write("projects:\n- name: main\n  url: [unclosed\n");

        DstackException e = catchThrowableOfType(DstackException.class, () -> DstackConfig.load(file));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).startsWith("Invalid dstack client configuration " + file + ": it is not valid YAML at line ");
    }

    @Test
    void aMissingFieldNamesTheFileAndTheEntry() throws IOException {
        Path file = write("projects:\n- name: main\n  url: http://127.0.0.1:3000\n  default: true\n");

        DstackException e = catchThrowableOfType(DstackException.class, () -> DstackConfig.load(file));

        assertThat(e).hasMessage("Invalid dstack client configuration " + file + ": projects[0].token is missing");
    }

    @Test
    void theWrongShapesAreNamed() throws IOException {
        Path notAList = write("projects: main\n");
        assertThat(catchThrowableOfType(DstackException.class, () -> DstackConfig.load(notAList)))
                .hasMessageEndingWith(": 'projects' must be a list");

        Path badDefault = write("projects:\n- {name: a, url: http://a, token: t, default: maybe}\n");
        assertThat(catchThrowableOfType(DstackException.class, () -> DstackConfig.load(badDefault)))
                .hasMessageEndingWith(": projects[0].default must be true or false, not 'maybe'");

        Path notAMapping = write("- just\n- a list\n");
        assertThat(catchThrowableOfType(DstackException.class, () -> DstackConfig.load(notAMapping)))
                .hasMessageEndingWith(": expected a mapping with the key 'projects'");
    }

    @Test
    void anEmptyFileHasNoProjects() throws IOException {
        assertThat(DstackConfig.load(write("")).projects()).isEmpty();
    }
}
