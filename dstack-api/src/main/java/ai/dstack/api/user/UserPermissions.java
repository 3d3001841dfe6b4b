package ai.dstack.api.user;

/** What a user may do server-wide. */
public record UserPermissions(boolean canCreateProjects) {
}
