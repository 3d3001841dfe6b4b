package ai.dstack.examples;

import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import ai.dstack.spi.logs.LogSubscription;
import java.io.PrintStream;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A custom plug-in found through {@link ServiceLoader}: log storage type {@code tee} keeps logs in the standard file
 * storage and also copies each job line to standard output as it is stored (where a real one might ship it to a
 * log service). Registered in {@code META-INF/services/ai.dstack.spi.logs.LogStoreProvider}; chosen with
 * {@code DstackEngine.builder().logStorage("tee", Map.of())}. There is no backend SPI yet, so this shows the
 * mechanism on the log storage SPI.
 */
public final class TeeLogStoreProvider implements LogStoreProvider {
    @Override
    public String type() {
        return "tee";
    }

    @Override
    public LogStore create(LogStoreContext context) {
        return new TeeLogStore(fileStorage().create(context), System.out);
    }

    private static LogStoreProvider fileStorage() {
        for (LogStoreProvider provider : ServiceLoader.load(LogStoreProvider.class, TeeLogStoreProvider.class.getClassLoader())) {
            if (provider.type().equals("file")) {
                return provider;
            }
        }
        throw new IllegalStateException("The file log storage (ai.dstack:dstack-storage) is not on the class path");
    }

    /** The file store, with every job line also printed. */
    private record TeeLogStore(LogStore delegate, PrintStream copy) implements LogStore {
        @Override
        public void write(JobLogRef job, List<LogEvent> jobLines, List<LogEvent> runnerLines) {
            delegate.write(job, jobLines, runnerLines);
            for (LogEvent line : jobLines) {
                copy.print("[tee " + job.runName() + "] " + line.message());
            }
            copy.flush();
        }

        @Override
        public LogPage poll(JobLogRef job, LogQuery query) {
            return delegate.poll(job, query);
        }

        @Override
        public LogSubscription follow(JobLogRef job, LogFollow follow, LogListener listener) {
            return delegate.follow(job, follow, listener);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
