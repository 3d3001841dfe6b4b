package ai.dstack.core;

/**
 * dstack's server-wide {@code default_permissions} (config.yml): what non-admins may do.
 *
 * @param allowNonAdminsCreateProjects users without the global admin role may create projects
 * @param allowNonAdminsManageSshFleets project users and managers may create and delete SSH fleets
 * @param allowManagersManageSecrets project managers (not only admins) may read and change secrets
 */
public record DefaultPermissions(
        boolean allowNonAdminsCreateProjects, boolean allowNonAdminsManageSshFleets, boolean allowManagersManageSecrets) {
    /** dstack's defaults. */
    public static final DefaultPermissions DSTACK = new DefaultPermissions(true, true, false);

    ai.dstack.core.internal.context.DefaultPermissions toEngine() {
        return new ai.dstack.core.internal.context.DefaultPermissions(allowNonAdminsCreateProjects,
                allowNonAdminsManageSshFleets, allowManagersManageSecrets);
    }

    static DefaultPermissions of(ai.dstack.core.internal.context.DefaultPermissions permissions) {
        return new DefaultPermissions(permissions.allowNonAdminsCreateProjects(),
                permissions.allowNonAdminsManageSshFleets(), permissions.allowManagersManageSecrets());
    }
}
