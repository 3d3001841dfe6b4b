package ai.dstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL driver and Flyway's PostgreSQL module are optional in dstack-storage: an engine on a PostgreSQL URL
 * without them refuses to start, naming the artifact to add, before any driver or migration error.
 */
class WithoutPostgresSupportTest {
    @TempDir
    Path dir;

    @Test
    void aPostgresUrlNamesTheMissingDependency() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(classPathWithout("postgresql-", "flyway-database-postgresql-"),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> dstack = loader.loadClass("ai.dstack.client.Dstack");
            Map<String, String> settings = Map.of("dstack.mode", "embedded", "dstack.server-dir", dir.toString(),
                    "dstack.database-url", "postgresql://dstack@127.0.0.1:9/dstack");
            Throwable failure = null;
            try {
                dstack.getMethod("connect", Map.class, ClassLoader.class).invoke(null, settings, loader);
            } catch (InvocationTargetException e) {
                failure = e.getCause();
            }
            assertThat(failure).as("connect without PostgreSQL support").isNotNull();
            assertThat(failure.getClass().getName()).isEqualTo("ai.dstack.api.DstackException");
            assertThat(failure).hasMessageContaining("PostgreSQL support is not on the class path")
                    .hasMessageContaining("ai.dstack:dstack-postgres");
        }
    }

    private static URL[] classPathWithout(String... prefixes) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean excluded = false;
            for (String prefix : prefixes) {
                excluded |= name.startsWith(prefix);
            }
            if (!excluded) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }
}
