package ai.dstack.spi.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/** dstack's tag names, which every backend puts on what it creates. */
public final class Tags {
    public static final String OWNER = "owner";
    public static final String OWNER_VALUE = "dstack";
    public static final String PROJECT = "dstack_project";
    public static final String NAME = "dstack_name";
    public static final String USER = "dstack_user";
    public static final String RUN = "dstack_run";

    private Tags() {}

    /** {@code owner=dstack} and {@code dstack_project}: what every resource of the project carries. */
    public static Map<String, String> ofProject(String project) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(OWNER, OWNER_VALUE);
        tags.put(PROJECT, project);
        return tags;
    }
}
