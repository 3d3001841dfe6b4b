package ai.dstack.storage.logs;

import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import ai.dstack.storage.logs.internal.FileLogStore;

/**
 * dstack's default log storage: one file per job submission and producer under the server directory,
 * {@code projects/<project>/logs/<run_name>/<job_submission_id>/{job,runner}.log}, one JSON event per line in the
 * same format dstack writes, so either server can read the other's logs.
 *
 * <p>Running several server replicas on one directory needs an external storage: {@link LogStore#follow followers}
 * only see what their own replica writes.
 */
public final class FileLogStoreProvider implements LogStoreProvider {
    public static final String TYPE = "file";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LogStore create(LogStoreContext context) {
        return new FileLogStore(context.serverDirectory());
    }
}
