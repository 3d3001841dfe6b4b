package ai.dstack.core.internal.operations;

import java.time.Instant;
import java.util.UUID;

/**
 * dstack's {@code runs/list} filter and page.
 *
 * @param projectName only this project's runs, or null for every project the caller sees
 * @param repoId only runs of this repo (needs {@code projectName}), or null
 * @param username only runs submitted by this user, or null
 * @param onlyActive leave out finished runs
 * @param includeJobs false to leave {@code jobs} empty
 * @param jobSubmissionsLimit the newest submissions kept per job, 0..10
 */
public record RunQuery(
        String projectName,
        String repoId,
        String username,
        boolean onlyActive,
        boolean includeJobs,
        int jobSubmissionsLimit,
        Instant prevSubmittedAt,
        UUID prevRunId,
        int limit,
        boolean ascending) {}
