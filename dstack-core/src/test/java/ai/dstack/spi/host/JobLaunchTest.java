package ai.dstack.spi.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobLaunchTest {

    @Test
    void defaultsAreBashNoImageAndTheWorkDirectoryItself() {
        JobLaunch launch = JobLaunch.of("6f1c-0", List.of("echo hi"));

        assertThat(launch.shell()).isEqualTo("/bin/bash");
        assertThat(launch.workingDir()).isEmpty();
        assertThat(launch.imageName()).isEmpty();
    }

    @Test
    void bareShellNameMeansBinLikeDstack() {
        assertThat(JobLaunch.of("j", List.of("x")).withShell("sh").shell()).isEqualTo("/bin/sh");
        assertThat(JobLaunch.of("j", List.of("x")).withShell("/usr/bin/zsh").shell()).isEqualTo("/usr/bin/zsh");
    }

    @Test
    void jobIdMustBeASafeDirectoryName() {
        assertThatThrownBy(() -> JobLaunch.of("../etc", List.of("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job id '../etc'");
        assertThatThrownBy(() -> JobLaunch.of(".exited", List.of("x")))
                .hasMessageContaining("not starting with '.'");
    }

    @Test
    void commandsMustBePresentAndNotBlank() {
        assertThatThrownBy(() -> JobLaunch.of("j", List.of())).hasMessage("job j has no commands to run");
        assertThatThrownBy(() -> JobLaunch.of("j", List.of("echo", "  "))).hasMessage("job j: commands[1] is blank");
    }

    @Test
    void environmentNamesMustBeShellNames() {
        assertThatThrownBy(() -> JobLaunch.of("j", List.of("x")).withEnv(Map.of("MY-VAR", "1")))
                .hasMessageContaining("environment variable name 'MY-VAR' is not valid");
    }

    @Test
    void workingDirMustStayInsideTheJob() {
        assertThat(JobLaunch.of("j", List.of("x")).withWorkingDir("./").workingDir()).isEmpty();
        assertThat(JobLaunch.of("j", List.of("x")).withWorkingDir("./src/").workingDir()).isEqualTo("src");
        assertThatThrownBy(() -> JobLaunch.of("j", List.of("x")).withWorkingDir("/workflow"))
                .hasMessageContaining("working directory '/workflow' must be relative");
        assertThatThrownBy(() -> JobLaunch.of("j", List.of("x")).withWorkingDir("a/../../b"))
                .hasMessageContaining("stay inside");
    }
}
