package ai.dstack.gradle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * examples/build/gradle/build.gradle.kts cannot be run here (no Gradle distribution), so this keeps it honest: the
 * plugin id and version, every task type it registers and every setting it assigns exist in this plugin.
 */
class ExampleBuildScriptTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("examples.dir", "../examples"), "build", "gradle");

    @Test
    void everyNameTheScriptUsesExists() throws Exception {
        String script = Files.readString(EXAMPLE.resolve("build.gradle.kts"));
        assertThat(script).contains("id(\"ai.dstack\") version \"" + System.getProperty("project.version", "0.1.0-SNAPSHOT") + "\"");
        assertThat(getClass().getResource("/META-INF/gradle-plugins/ai.dstack.properties")).isNotNull();

        String extension = block(script, "dstack {");
        for (String setting : assigned(extension)) {
            assertThat(getter(DstackExtension.class, setting)).as("dstack { %s }", setting).isTrue();
        }
        Matcher registered = Pattern.compile("tasks\\.register<(ai\\.dstack\\.gradle\\.\\w+)>\\(\"(\\w+)\"\\) \\{").matcher(script);
        int tasks = 0;
        while (registered.find()) {
            Class<?> type = Class.forName(registered.group(1));
            assertThat(DstackTask.class).isAssignableFrom(type);
            for (String setting : assigned(block(script.substring(registered.start()), "{"))) {
                assertThat(getter(type, setting)).as("%s { %s }", registered.group(2), setting).isTrue();
            }
            tasks++;
        }
        assertThat(tasks).isEqualTo(2);
        for (String file : List.of("hello.dstack.yml", "train.dstack.yml")) {
            assertThat(EXAMPLE.resolve(file)).exists();
        }
    }

    private static String block(String text, String opening) {
        int start = text.indexOf(opening) + opening.length();
        return text.substring(start, text.indexOf("\n}", start));
    }

    private static List<String> assigned(String block) {
        List<String> names = new ArrayList<>();
        Matcher assignment = Pattern.compile("(?m)^\\s+(\\w+) = ").matcher(block);
        while (assignment.find()) {
            names.add(assignment.group(1));
        }
        assertThat(names).isNotEmpty();
        return names;
    }

    private static boolean getter(Class<?> type, String property) {
        String name = "get" + Character.toUpperCase(property.charAt(0)) + property.substring(1);
        return Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(name) && m.getParameterCount() == 0);
    }
}
