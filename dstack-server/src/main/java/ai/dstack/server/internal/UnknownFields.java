package ai.dstack.server.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dstack refuses request fields it does not know (422); this server accepts them, so that newer clients keep
 * working, and logs each unknown field once per route.
 */
final class UnknownFields {
    private static final Logger LOG = LoggerFactory.getLogger(UnknownFields.class);
    /** Bounded: a client sending random names must not grow it forever. */
    private static final int MAX_REMEMBERED = 10_000;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    void report(String route, List<Object> path, String field) {
        StringBuilder where = new StringBuilder();
        path.forEach(part -> where.append(part).append('.'));
        String key = route + " " + where + field;
        if (seen.size() < MAX_REMEMBERED && seen.add(key)) {
            LOG.info("Ignoring unknown request field '{}{}' of {}", where, field, route);
        }
    }
}
