package ai.dstack.api.project;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * The reply of {@code projects/list} when {@code return_total_count} is true; otherwise the reply is a bare
 * array of {@link Project}.
 *
 * @param totalCount all projects matching the filter, not just this page
 */
public record ProjectsInfoList(Integer totalCount, List<Project> projects) {
    public ProjectsInfoList {
        projects = Values.list(projects);
    }
}
