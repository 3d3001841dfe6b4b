package ai.dstack.storage.logs.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers where the line behind each recently issued ascending {@code next_token} starts. dstack's ascending
 * token is a line number, so without this every page would re-read the file from the start; log files are only
 * appended to, so a line's offset never changes while the file exists. Callers still check an entry before use.
 */
final class LineOffsetCache {
    private static final int CAPACITY = 4096;

    private record Key(Path file, long line) {}

    private final Map<Key, Long> offsets = new LinkedHashMap<>(CAPACITY, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void put(Path file, long line, long offset) {
        offsets.put(new Key(file, line), offset);
    }

    /** The remembered offset of {@code line}, or -1. */
    synchronized long get(Path file, long line) {
        Long offset = offsets.get(new Key(file, line));
        return offset == null ? -1 : offset;
    }
}
