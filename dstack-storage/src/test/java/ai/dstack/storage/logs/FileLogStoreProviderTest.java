package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogStoreProviderTest {

    @Test
    void isDiscoveredByServiceLoaderAsTheFileType(@TempDir Path serverDir) {
        LogStoreProvider provider = ServiceLoader.load(LogStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.type().equals("file"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no LogStoreProvider of type 'file' on the class path"));
        JobLogRef job = new JobLogRef("main", "hello", UUID.randomUUID());
        LogEvent event = LogEvent.stdout(Instant.parse("2024-01-02T03:04:05Z"), "hi\n");

        assertThat(provider).isInstanceOf(FileLogStoreProvider.class);
        try (LogStore store = provider.create(LogStoreContext.of(serverDir))) {
            store.write(job, List.of(event), List.of());
            assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactly(event);
        }
    }
}
