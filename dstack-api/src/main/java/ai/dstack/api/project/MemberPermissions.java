package ai.dstack.api.project;

/**
 * What a member may do in a project.
 *
 * @param canManageSecrets false when absent (older servers)
 */
public record MemberPermissions(boolean canManageSshFleets, boolean canManageSecrets) {
}
