package ai.dstack.core.app;

/** dstack's permission dependencies (security/permissions.py): who may make a call. */
public enum Need {
    /** No token: server info, backend types. */
    NOTHING,
    AUTHENTICATED,
    GLOBAL_ADMIN,
    /** Any member of the project (a global admin passes every check). */
    PROJECT_MEMBER,
    /** A member, or anyone authenticated when the project is public. */
    PROJECT_MEMBER_OR_PUBLIC,
    /** A project admin or manager. */
    PROJECT_MANAGER,
    /** A project admin. */
    PROJECT_ADMIN,
    /** A project admin or manager, or anyone authenticated when the project is public (to join it). */
    PROJECT_MANAGER_OR_PUBLIC,
    /**
     * dstack's {@code can_manage_ssh_fleets}: a project admin, or any member while config.yml's
     * {@code default_permissions.allow_non_admins_manage_ssh_fleets} is on (its default).
     */
    PROJECT_SSH_FLEET_MANAGER;

    /** Whether the need is about a project (its name is then required). */
    public boolean isProjectScoped() {
        return ordinal() >= PROJECT_MEMBER.ordinal();
    }
}
