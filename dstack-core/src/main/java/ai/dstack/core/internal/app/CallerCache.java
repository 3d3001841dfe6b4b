package ai.dstack.core.internal.app;

import ai.dstack.api.user.ProjectRole;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.UserRow;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What every request looks up before its work, kept for a moment: the user of a token, a project by name and a
 * user's role in a project. Every change of users, projects or members made through this server empties it once the
 * change is committed ({@link #invalidateAll()}), so a revoked token, a deleted user or a removed member is refused at
 * once here; another replica on the same PostgreSQL database may accept them for {@link #REPLICAS_TIME_TO_LIVE} at
 * most. Only what was found is kept: a new user, project or member is never refused because of an earlier miss.
 */
final class CallerCache {
    /** With replicas (PostgreSQL): how long another one may go on accepting what a change on this one revoked. */
    static final Duration REPLICAS_TIME_TO_LIVE = Duration.ofSeconds(2);
    /** The only server of its database (SQLite) sees every change: the lifetime only bounds what idle entries hold. */
    static final Duration SOLE_SERVER_TIME_TO_LIVE = Duration.ofMinutes(10);
    private static final int MAX_ENTRIES = 10_000;

    private record Membership(UUID projectId, UUID userId) {}

    /** By the token itself (which its user row holds anyway): a hit is an exact match. */
    private final Cache<String, UserRow> usersByToken;
    /** The engine acting as a user of its own (an embedded engine's admin), by name: no token to look up. */
    private final Cache<String, UserRow> usersByName;
    private final Cache<String, ProjectRow> projectsByName;
    private final Cache<Membership, Optional<ProjectRole>> roles;
    /** Counts invalidations: a lookup that raced one (read before its commit, kept after it) keeps nothing. */
    private long generation;

    CallerCache(Duration timeToLive) {
        usersByToken = cache(timeToLive);
        usersByName = cache(timeToLive);
        projectsByName = cache(timeToLive);
        roles = cache(timeToLive);
    }

    private static <K, V> Cache<K, V> cache(Duration timeToLive) {
        return Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(timeToLive).build();
    }

    Optional<UserRow> user(String token, Supplier<Optional<UserRow>> lookup) {
        return cached(usersByToken, token, lookup);
    }

    Optional<UserRow> userNamed(String name, Supplier<Optional<UserRow>> lookup) {
        return cached(usersByName, name, lookup);
    }

    Optional<ProjectRow> project(String name, Supplier<Optional<ProjectRow>> lookup) {
        return cached(projectsByName, name, lookup);
    }

    /** A role, or a non-member's empty role (kept too: adding a member goes through this server or waits out the TTL). */
    Optional<ProjectRole> role(ProjectRow project, UserRow user, Supplier<Optional<ProjectRole>> lookup) {
        Membership key = new Membership(project.id(), user.id());
        Optional<ProjectRole> known = roles.getIfPresent(key);
        if (known != null) {
            return known;
        }
        long before = generation();
        Optional<ProjectRole> role = lookup.get();
        keepUnlessInvalidated(before, () -> roles.put(key, role));
        return role;
    }

    /** After a committed change of users, projects or members. */
    synchronized void invalidateAll() {
        generation++;
        usersByToken.invalidateAll();
        usersByName.invalidateAll();
        projectsByName.invalidateAll();
        roles.invalidateAll();
    }

    private <K, V> Optional<V> cached(Cache<K, V> cache, K key, Supplier<Optional<V>> lookup) {
        V known = cache.getIfPresent(key);
        if (known != null) {
            return Optional.of(known);
        }
        long before = generation();
        Optional<V> found = lookup.get();
        found.ifPresent(value -> keepUnlessInvalidated(before, () -> cache.put(key, value)));
        return found;
    }

    private synchronized long generation() {
        return generation;
    }

    private synchronized void keepUnlessInvalidated(long generationBefore, Runnable keep) {
        if (generation == generationBefore) {
            keep.run();
        }
    }
}
