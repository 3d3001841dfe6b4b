package ai.dstack.server.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code litestream} shell script that records each call's arguments, one line per call, in a file. {@code restore}
 * copies the "replica" file to the {@code -o} path (if there is one) and exits with {@code FAKE_RESTORE_EXIT};
 * {@code replicate} runs until SIGTERM and records that it stopped.
 */
record StandInLitestream(Path binDirectory, Path record) {
    static final String SCRIPT = """
            #!/bin/sh
            echo "$*" >> "$LITESTREAM_RECORD"
            case "$1" in
              restore)
                if [ -n "$FAKE_REPLICA_DB" ] && [ -f "$FAKE_REPLICA_DB" ]; then cp "$FAKE_REPLICA_DB" "$4"; fi
                exit "${FAKE_RESTORE_EXIT:-0}";;
              replicate)
                trap 'echo "stopped $2" >> "$LITESTREAM_RECORD"; exit 0' TERM
                while true; do sleep 0.1; done;;
            esac
            """;

    static StandInLitestream install(Path directory) throws IOException {
        Path bin = Files.createDirectories(directory.resolve("bin"));
        Path script = bin.resolve("litestream");
        Files.writeString(script, SCRIPT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new StandInLitestream(bin, directory.resolve("litestream-calls.txt"));
    }

    /** An environment with the stand-in first on PATH and the replica URL set. */
    Map<String, String> environment(String replicaUrl, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("PATH", binDirectory + ":/usr/bin:/bin");
        env.put("LITESTREAM_RECORD", record.toString());
        env.put(Litestream.REPLICA_URL, replicaUrl);
        return env;
    }

    List<String> calls() throws IOException {
        return Files.exists(record) ? Files.readAllLines(record) : List.of();
    }
}
