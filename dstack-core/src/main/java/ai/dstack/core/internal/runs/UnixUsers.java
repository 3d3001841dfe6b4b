package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.UnixUser;

/** Reads Docker's {@code <user>[:<group>]} (each a name or a numeric id) as dstack does. */
final class UnixUsers {
    private UnixUsers() {}

    /**
     * @throws DstackException with dstack's {@code invalid user format: ...} message
     */
    static UnixUser parse(String value) {
        String[] parts = value.split(":", -1);
        if (parts.length > 2) {
            throw invalid("too many parts");
        }
        if (parts[0].isEmpty()) {
            throw invalid("empty user name or id");
        }
        Integer uid = id(parts[0], "uid");
        String username = uid == null ? parts[0] : null;
        Integer gid = null;
        String groupname = null;
        if (parts.length == 2) {
            if (parts[1].isEmpty()) {
                throw invalid("empty group name or id");
            }
            gid = id(parts[1], "gid");
            groupname = gid == null ? parts[1] : null;
        }
        return new UnixUser(uid, gid, username, groupname);
    }

    /** The number a part holds, or null for a name; negative ids are rejected. */
    private static Integer id(String part, String what) {
        int value;
        try {
            value = Integer.parseInt(part.strip());
        } catch (NumberFormatException e) {
            return null;
        }
        if (value < 0) {
            throw invalid("negative " + what + " " + value);
        }
        return value;
    }

    private static DstackException invalid(String why) {
        return new DstackException(ErrorCode.ERROR, "invalid user format: " + why);
    }
}
