package ai.dstack.engine;

import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobLaunch;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host whose job starts take {@code delay} longer than its delegate's, as on a machine too busy to keep up; it
 * counts the starts asked of it per job id in {@code starts} (which several hosts may share). Every other call goes to
 * the delegate as it is.
 */
final class SlowStartHost {
    private SlowStartHost() {}

    static HostExecutor around(HostExecutor delegate, Duration delay, Map<String, AtomicInteger> starts) {
        return (HostExecutor) Proxy.newProxyInstance(HostExecutor.class.getClassLoader(),
                new Class<?>[] {HostExecutor.class}, (proxy, method, args) -> {
                    if (method.getName().equals("start") && args != null && args.length == 1
                            && args[0] instanceof JobLaunch launch) {
                        starts.computeIfAbsent(launch.jobId(), id -> new AtomicInteger()).incrementAndGet();
                        Thread.sleep(delay.toMillis());
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
