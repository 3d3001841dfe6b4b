package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OkHttp is optional in dstack-api: an application without it (an embedded engine) loads the API, and the remote
 * client, when asked for, says which dependency to add instead of failing with NoClassDefFoundError.
 */
class WithoutOkHttpTest {

    @Test
    void theRemoteClientNamesTheMissingDependency() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(classPathWithoutOkHttp(), ClassLoader.getPlatformClassLoader())) {
            assertThat(classExists(loader, "okhttp3.OkHttpClient")).isFalse();
            Class<?> dstack = loader.loadClass(Dstack.class.getName());

            Throwable viaRemote = failure(dstack.getMethod("remote", String.class, String.class), "http://127.0.0.1:9", "t");
            assertThat(viaRemote.getClass().getName()).isEqualTo("ai.dstack.api.DstackException");
            assertThat(viaRemote).hasMessageContaining("needs OkHttp").hasMessageContaining("ai.dstack:dstack-client");

            Throwable viaConnect = failure(dstack.getMethod("connect", Map.class),
                    Map.of(Dstack.URL, "http://127.0.0.1:9", Dstack.TOKEN, "t"));
            assertThat(viaConnect).hasMessageContaining("ai.dstack:dstack-client");
        }
    }

    private static Throwable failure(Method method, Object... args) throws IllegalAccessException {
        try {
            method.invoke(null, args);
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
        throw new AssertionError(method + " did not fail without OkHttp");
    }

    private static boolean classExists(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The test class path (surefire names it in a property; its own class path is a manifest jar) minus OkHttp's jars. */
    private static URL[] classPathWithoutOkHttp() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (!name.startsWith("okhttp") && !name.startsWith("okio") && !name.startsWith("kotlin")
                    && !name.startsWith("mockwebserver")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }
}
