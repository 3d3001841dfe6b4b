package ai.dstack.core.internal.context;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Stored specs as the read paths show them ({@code runs/list}, {@code runs/get}): each stored JSON text parsed once
 * and kept while it is read often. The key is the text itself (and the type), so a spec that is rewritten is a new
 * key and a stale parse can never be returned; the values are dstack's immutable API records, shared by every reader.
 * Hashing and comparing a text costs a small fraction of parsing it again.
 */
public final class StoredSpecs {
    /** Enough for the first pages of a busy server (a page of 100 runs reads about 400 specs); a few MB at most. */
    private static final int MAX_PARSED = 4096;
    private static final Cache<Key, Object> PARSED = Caffeine.newBuilder().maximumSize(MAX_PARSED).build();

    private StoredSpecs() {}

    private record Key(Class<?> type, String json) {}

    /** {@link Json#read} of a stored text, parsed once while it stays in the cache. */
    public static <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        return type.cast(PARSED.get(new Key(type, json), key -> Json.read(key.json(), type)));
    }
}
