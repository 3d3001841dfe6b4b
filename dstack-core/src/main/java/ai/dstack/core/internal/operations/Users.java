package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserPermissions;
import ai.dstack.api.user.UserTokenCreds;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.api.user.UsersInfoList;
import ai.dstack.core.internal.context.DefaultPermissions;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.UserRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * dstack's users service: token log-in, listing, creation, updates, token refreshes and soft deletion, with
 * dstack's rules and messages. Callers check the route-level role first (for example global admin for
 * {@code create}); the checks dstack makes inside its services are made here.
 */
public final class Users {
    /** dstack's rule for user names. */
    public static final Pattern USERNAME = Pattern.compile("^[a-zA-Z0-9-_]{1,60}$");

    private final EngineContext context;
    private final DefaultPermissions permissions;
    private final SecureRandom random = new SecureRandom();

    public Users(EngineContext context, DefaultPermissions permissions) {
        this.context = context;
        this.permissions = permissions;
    }

    /**
     * dstack's {@code log_in_with_token}: the active, not deleted user whose token hash matches and whose stored
     * token equals the given one.
     */
    public Optional<UserRow> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        String hash = Bootstrap.tokenHash(token);
        return context.store.inReadOnlyTransaction(tx -> tx.users().findByTokenHash(hash))
                .filter(user -> user.active() && !user.deleted())
                .filter(user -> MessageDigest.isEqual(user.token().getBytes(StandardCharsets.UTF_8),
                        token.getBytes(StandardCharsets.UTF_8)));
    }

    /** The user with this exact name that is not deleted. */
    public Optional<UserRow> findByName(String username) {
        return context.store.inReadOnlyTransaction(tx -> tx.users().findByName(username)).filter(user -> !user.deleted());
    }

    /** Users that are not deleted, matched by name or, failing that, by e-mail (dstack's member lookups). */
    Optional<UserRow> findByNameOrEmail(List<UserRow> users, String nameOrEmail) {
        return users.stream().filter(u -> !u.deleted() && u.name().equals(nameOrEmail)).findFirst()
                .or(() -> users.stream().filter(u -> !u.deleted() && u.email() != null && u.email().equals(nameOrEmail))
                        .findFirst());
    }

    /**
     * dstack's {@code users/list}: every user that is not deleted for a global admin, only the caller otherwise.
     *
     * @param namePattern a case-insensitive substring of the name, or null
     * @param withTotal whether to count every match (the reply's {@code total_count}); null otherwise
     */
    public UsersInfoList list(UserRow caller, boolean withTotal, String namePattern, Instant prevCreatedAt, UUID prevId,
            int limit, boolean ascending) {
        String needle = namePattern == null ? "" : namePattern.toLowerCase(Locale.ROOT);
        if (!isAdmin(caller)) {
            List<User> self = caller.deleted() || !caller.name().toLowerCase(Locale.ROOT).contains(needle)
                    ? List.of() : List.of(view(caller));
            return new UsersInfoList(withTotal ? self.size() : null, self);
        }
        List<UserRow> matching = context.store.inReadOnlyTransaction(tx -> tx.users().list()).stream()
                .filter(u -> !u.deleted())
                .filter(u -> u.name().toLowerCase(Locale.ROOT).contains(needle))
                .toList();
        List<User> page = Paging.page(matching, UserRow::createdAt, UserRow::id, prevCreatedAt, prevId, limit, ascending)
                .stream().map(this::view).toList();
        return new UsersInfoList(withTotal ? matching.size() : null, page);
    }

    /** dstack's {@code get_my_user}: the caller with token and SSH keys, generating keys for users without any. */
    public UserWithCreds myUser(UserRow caller) {
        UserRow user = caller;
        if (user.sshPrivateKey() == null || user.sshPublicKey() == null) {
            user = withNewSshKey(caller.name());
        }
        return withCreds(user);
    }

    /** dstack's {@code get_user}: the user with credentials, for a global admin or the user itself. */
    public UserWithCreds get(UserRow caller, String username) {
        UserRow user = findByName(username).orElseThrow(Users::notFound);
        if (!isAdmin(caller) && !caller.id().equals(user.id())) {
            throw notFound();
        }
        return withCreds(user);
    }

    /** dstack's {@code create_user}: a new user with a fresh uuid4 token and SSH key pair. */
    public User create(String username, GlobalRole role, String email, boolean active) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new DstackException(ErrorCode.ERROR, "Username should match regex '" + USERNAME.pattern() + "'");
        }
        if (context.store.inReadOnlyTransaction(tx -> nameTaken(tx, username))) {
            throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Resource exists");
        }
        String token = UUID.randomUUID().toString();
        JobSshKey key = JobSshKeys.generate(); // slow: only once the name is known to be free
        UserRow user = UserRow.builder().id(UUID.randomUUID()).name(username).createdAt(context.clock.instant())
                .globalRole(role.wireValue()).token(token).tokenHash(Bootstrap.tokenHash(token)).email(email)
                .active(active).sshPublicKey(key.publicKey()).sshPrivateKey(key.privateKey()).build();
        context.store.useTransaction(tx -> {
            if (nameTaken(tx, username)) {
                throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Resource exists");
            }
            tx.users().insert(user);
            context.events.record(tx, "User created. Global role: " + role.wireValue().toUpperCase(java.util.Locale.ROOT),
                    null, ai.dstack.core.internal.context.EventLog.user(user, username));
        });
        return view(user);
    }

    private static boolean nameTaken(ai.dstack.spi.storage.StoreTransaction tx, String username) {
        return tx.users().list().stream().anyMatch(u -> !u.deleted() && u.name().equalsIgnoreCase(username));
    }

    /** dstack's {@code update_user}: role, e-mail (null clears it) and the active flag. */
    public User update(String username, GlobalRole role, String email, boolean active) {
        return view(context.store.inTransaction(tx -> {
            UserRow user = tx.users().findByName(username).filter(u -> !u.deleted()).orElseThrow(Users::notFound);
            UserRow updated = user.toBuilder().globalRole(role.wireValue()).email(email).active(active).build();
            tx.users().update(updated);
            return updated;
        }));
    }

    /** dstack's {@code refresh_token}: a new uuid4 token; the old one stops working at once. */
    public UserWithCreds refreshToken(UserRow caller, String username) {
        if (!isAdmin(caller) && !caller.name().equals(username)) {
            throw new AccessDenied();
        }
        return withCreds(context.store.inTransaction(tx -> {
            UserRow user = tx.users().findByName(username).filter(u -> !u.deleted()).orElseThrow(Users::notFound);
            String token = UUID.randomUUID().toString();
            UserRow updated = user.toBuilder().token(token).tokenHash(Bootstrap.tokenHash(token)).build();
            tx.users().update(updated);
            return updated;
        }));
    }

    /** dstack's {@code refresh_ssh_key}: a new key pair for the user. */
    public UserWithCreds refreshSshKey(UserRow caller, String username) {
        if (!isAdmin(caller) && !caller.name().equals(username)) {
            throw new AccessDenied();
        }
        return withCreds(withNewSshKey(username));
    }

    private UserRow withNewSshKey(String username) {
        JobSshKey key = JobSshKeys.generate();
        return context.store.inTransaction(tx -> {
            UserRow user = tx.users().findByName(username).filter(u -> !u.deleted()).orElseThrow(Users::notFound);
            UserRow updated = user.toBuilder().sshPublicKey(key.publicKey()).sshPrivateKey(key.privateKey()).build();
            tx.users().update(updated);
            return updated;
        });
    }

    /**
     * dstack's {@code delete_users}: soft deletion. The user is renamed {@code _deleted_<ts>_<hex>}, deactivated and
     * removed from every project; projects it owns stay.
     */
    public void delete(List<String> usernames) {
        if (usernames.contains(Bootstrap.ADMIN)) {
            throw new DstackException(ErrorCode.ERROR, "User '" + Bootstrap.ADMIN + "' cannot be deleted");
        }
        String timestamp = Long.toString(context.clock.instant().getEpochSecond());
        context.store.useTransaction(tx -> {
            List<UserRow> users = tx.users().list().stream()
                    .filter(u -> !u.deleted() && usernames.contains(u.name())).toList();
            if (users.size() != usernames.size()) {
                throw new DstackException(ErrorCode.ERROR, "Failed to delete non-existent users");
            }
            for (UserRow user : users) {
                byte[] suffix = new byte[8];
                random.nextBytes(suffix);
                context.events.record(tx, "User deleted", null,
                        ai.dstack.core.internal.context.EventLog.user(user, user.name()));
                tx.users().update(user.toBuilder().deleted(true).active(false).originalName(user.name())
                        .name("_deleted_" + timestamp + "_" + HexFormat.of().formatHex(suffix)).build());
                for (MemberRow member : tx.projects().memberships(user.id())) {
                    tx.projects().removeMember(member.projectId(), user.id());
                }
            }
        });
    }

    /** dstack's {@code User} for a stored user. */
    public User view(UserRow user) {
        return new User(user.id(), user.name(), user.createdAt(), GlobalRole.fromWireValue(user.globalRole()),
                user.email(), user.active(), new UserPermissions(canCreateProjects(user)), user.sshPublicKey());
    }

    public UserWithCreds withCreds(UserRow user) {
        User view = view(user);
        return new UserWithCreds(view.id(), view.username(), view.createdAt(), view.globalRole(), view.email(),
                view.active(), view.permissions(), view.sshPublicKey(), new UserTokenCreds(user.token()),
                user.sshPrivateKey());
    }

    boolean canCreateProjects(UserRow user) {
        return permissions.allowNonAdminsCreateProjects() || isAdmin(user);
    }

    public static boolean isAdmin(UserRow user) {
        return GlobalRole.ADMIN.wireValue().equals(user.globalRole());
    }

    private static DstackException notFound() {
        return new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
    }
}
