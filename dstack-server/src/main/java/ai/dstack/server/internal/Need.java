package ai.dstack.server.internal;

/** dstack's permission dependencies (security/permissions.py): who may call a route. */
enum Need {
    /** No token: server info, backend types, health. */
    NOTHING,
    AUTHENTICATED,
    GLOBAL_ADMIN,
    /** Any member of the project in the path (a global admin passes every check). */
    PROJECT_MEMBER,
    /** A member, or anyone authenticated when the project is public. */
    PROJECT_MEMBER_OR_PUBLIC,
    /** A project admin or manager. */
    PROJECT_MANAGER,
    PROJECT_ADMIN,
    /** A project admin or manager, or anyone authenticated when the project is public (to join it). */
    PROJECT_MANAGER_OR_PUBLIC;

    boolean isProjectScoped() {
        return ordinal() >= PROJECT_MEMBER.ordinal();
    }
}
