package ai.dstack.api.user;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * The reply of {@code users/list} when {@code return_total_count} is true; otherwise the reply is a bare array
 * of {@link User}.
 *
 * @param totalCount all users matching the filter, not just this page
 */
public record UsersInfoList(Integer totalCount, List<User> users) {
    public UsersInfoList {
        users = Values.list(users);
    }
}
