package ai.dstack.api.run;

/** The user a job's commands run as, by id and/or name; each part may be null. */
public record UnixUser(Integer uid, Integer gid, String username, String groupname) {
}
