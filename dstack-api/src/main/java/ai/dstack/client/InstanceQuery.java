package ai.dstack.client;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which instances {@code instances/list} returns, newest first unless {@code ascending}.
 *
 * @param projectNames null for every project the user is a member of
 * @param fleetIds null for every fleet
 * @param onlyActive leave out terminating and terminated instances
 * @param includeImported include instances of fleets imported from other projects
 * @param prevCreatedAt the {@code created} of the last instance of the previous page
 * @param prevId the id of the last instance of the previous page
 * @param limit at most this many instances
 */
public record InstanceQuery(
        List<String> projectNames,
        List<UUID> fleetIds,
        boolean onlyActive,
        boolean includeImported,
        Instant prevCreatedAt,
        UUID prevId,
        int limit,
        boolean ascending) {
    /** dstack's default page size for instances. */
    public static final int DEFAULT_LIMIT = 1000;

    public InstanceQuery {
        projectNames = Values.listOrNull(projectNames);
        fleetIds = Values.listOrNull(fleetIds);
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0: " + limit);
        }
    }

    /** The instances of every project. */
    public static InstanceQuery all() {
        return newBuilder().build();
    }

    /** The instances of one project. */
    public static InstanceQuery ofProject(String projectName) {
        return newBuilder().projectNames(List.of(projectName)).build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .projectNames(projectNames)
                .fleetIds(fleetIds)
                .onlyActive(onlyActive)
                .includeImported(includeImported)
                .prevCreatedAt(prevCreatedAt)
                .prevId(prevId)
                .limit(limit)
                .ascending(ascending);
    }

    /** Builds an {@link InstanceQuery}; every field starts as dstack's default. */
    public static final class Builder {
        private List<String> projectNames;
        private List<UUID> fleetIds;
        private boolean onlyActive;
        private boolean includeImported;
        private Instant prevCreatedAt;
        private UUID prevId;
        private int limit = DEFAULT_LIMIT;
        private boolean ascending;

        private Builder() {}

        public Builder projectNames(List<String> projectNames) {
            this.projectNames = projectNames;
            return this;
        }

        public Builder fleetIds(List<UUID> fleetIds) {
            this.fleetIds = fleetIds;
            return this;
        }

        public Builder onlyActive(boolean onlyActive) {
            this.onlyActive = onlyActive;
            return this;
        }

        public Builder includeImported(boolean includeImported) {
            this.includeImported = includeImported;
            return this;
        }

        public Builder prevCreatedAt(Instant prevCreatedAt) {
            this.prevCreatedAt = prevCreatedAt;
            return this;
        }

        public Builder prevId(UUID prevId) {
            this.prevId = prevId;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder ascending(boolean ascending) {
            this.ascending = ascending;
            return this;
        }

        public InstanceQuery build() {
            return new InstanceQuery(projectNames, fleetIds, onlyActive, includeImported, prevCreatedAt, prevId, limit,
                    ascending);
        }
    }
}
