package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.project.Member;
import ai.dstack.api.project.MemberPermissions;
import ai.dstack.api.project.Project;
import ai.dstack.api.project.ProjectsInfoList;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.internal.context.DefaultPermissions;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * dstack's projects service: lookup, listing, creation, soft deletion and membership, with dstack's rules and
 * messages. Route-level roles are the caller's to check; the checks dstack makes inside its services (who may
 * change admins, self-joining public projects, the last admin) are made here.
 */
public final class Projects {
    /** dstack's rule for project names. */
    public static final Pattern PROJECT_NAME = Pattern.compile("^[a-zA-Z0-9-_]{1,50}$");

    /** One entry of {@code set_members}/{@code add_members}: a user name (or e-mail) and a role. */
    public record MemberSetting(String username, ProjectRole projectRole) {}

    private final EngineContext context;
    private final Users users;
    private final DefaultPermissions permissions;
    private final SecureRandom random = new SecureRandom();

    private final BackendConfigs backendConfigs;

    public Projects(EngineContext context, Users users, DefaultPermissions permissions, BackendConfigs backendConfigs) {
        this.backendConfigs = backendConfigs;
        this.context = context;
        this.users = users;
        this.permissions = permissions;
    }

    /** The project that is not deleted with this name, compared case-insensitively as dstack's routes do. */
    public Optional<ProjectRow> find(String name) {
        return context.store.inReadOnlyTransaction(tx -> find(tx, name));
    }

    private static Optional<ProjectRow> find(StoreTransaction tx, String name) {
        Optional<ProjectRow> exact = tx.projects().findByName(name).filter(p -> !p.deleted());
        if (exact.isPresent()) {
            return exact;
        }
        return tx.projects().list().stream().filter(p -> !p.deleted() && p.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The user's role in the project, or empty for a non-member. */
    public Optional<ProjectRole> role(ProjectRow project, UserRow user) {
        return context.store.inReadOnlyTransaction(tx -> tx.projects().members(project.id())).stream()
                .filter(m -> m.userId().equals(user.id()))
                .map(m -> ProjectRole.fromWireValue(m.projectRole()))
                .findFirst();
    }

    /** The projects, not deleted, the user is a member of. */
    public List<ProjectRow> memberProjects(UserRow user) {
        return context.store.inReadOnlyTransaction(tx -> {
            List<ProjectRow> projects = new ArrayList<>();
            for (MemberRow member : tx.projects().memberships(user.id())) {
                tx.projects().find(member.projectId()).filter(p -> !p.deleted()).ifPresent(projects::add);
            }
            return projects;
        });
    }

    /**
     * dstack's {@code projects/list_only_no_fleets}: the caller's member projects with no active fleet, oldest
     * first, without members (the UI offers them for a first fleet).
     */
    public List<Project> memberProjectsWithoutFleets(UserRow user) {
        List<ProjectRow> member = memberProjects(user);
        return context.store.inReadOnlyTransaction(tx -> member.stream()
                .filter(p -> tx.fleets().listByProject(p.id()).stream().noneMatch(f -> !f.deleted() && Fleets.isActive(f)))
                .sorted(java.util.Comparator.comparing(ProjectRow::createdAt))
                .map(p -> view(tx, p, false)).toList());
    }

    /** Every project that is not deleted. */
    public List<ProjectRow> all() {
        return context.store.inReadOnlyTransaction(tx -> tx.projects().list()).stream().filter(p -> !p.deleted()).toList();
    }

    /** The projects a user may list: all for a global admin, else its own plus (optionally) the public ones. */
    public List<ProjectRow> visible(UserRow user, boolean includeNotJoined) {
        if (Users.isAdmin(user)) {
            return all();
        }
        Map<UUID, ProjectRow> visible = new java.util.LinkedHashMap<>();
        memberProjects(user).forEach(p -> visible.put(p.id(), p));
        if (includeNotJoined) {
            all().stream().filter(ProjectRow::isPublic).forEach(p -> visible.putIfAbsent(p.id(), p));
        }
        return List.copyOf(visible.values());
    }

    /** dstack's {@code projects/list}: members and backends are left empty, as dstack leaves them. */
    public ProjectsInfoList list(UserRow caller, boolean includeNotJoined, boolean withTotal, String namePattern,
            Instant prevCreatedAt, UUID prevId, int limit, boolean ascending) {
        String needle = namePattern == null ? "" : namePattern.toLowerCase(Locale.ROOT);
        List<ProjectRow> matching = visible(caller, includeNotJoined).stream()
                .filter(p -> p.name().toLowerCase(Locale.ROOT).contains(needle)).toList();
        List<Project> page = context.store.inReadOnlyTransaction(tx -> Paging.page(matching, ProjectRow::createdAt,
                ProjectRow::id, prevCreatedAt, prevId, limit, ascending).stream()
                .map(p -> view(tx, p, false)).toList());
        return new ProjectsInfoList(withTotal ? matching.size() : null, page);
    }

    /** The project with its owner and members. */
    public Project view(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> view(tx, project, true));
    }

    private Project view(StoreTransaction tx, ProjectRow project, boolean withMembers) {
        Function<UUID, UserRow> userById = id -> tx.users().find(id)
                .orElseThrow(() -> new DstackException(ErrorCode.INTERNAL, "Project " + project.name()
                        + " refers to user " + id + ", which does not exist"));
        List<Member> members = new ArrayList<>();
        if (withMembers) {
            for (MemberRow member : tx.projects().members(project.id())) {
                UserRow user = userById.apply(member.userId());
                ProjectRole role = ProjectRole.fromWireValue(member.projectRole());
                members.add(new Member(users.view(user), role, memberPermissions(user, role)));
            }
        }
        return new Project(project.id(), project.name(), users.view(userById.apply(project.ownerId())),
                project.createdAt(), withMembers ? backendConfigs.infos(tx, project) : List.of(), members, project.isPublic(),
                null);
    }

    private MemberPermissions memberPermissions(UserRow user, ProjectRole role) {
        boolean admin = Users.isAdmin(user) || role == ProjectRole.ADMIN;
        boolean sshFleets = permissions.allowNonAdminsManageSshFleets() || admin;
        boolean secrets = admin || (role == ProjectRole.MANAGER && permissions.allowManagersManageSecrets());
        return new MemberPermissions(sshFleets, secrets);
    }

    /**
     * dstack's {@code can_manage_ssh_fleets}: global and project admins always; other members only with
     * {@code default_permissions.allow_non_admins_manage_ssh_fleets}.
     */
    public boolean canManageSshFleets(ProjectRow project, UserRow user) {
        if (Users.isAdmin(user)) {
            return true;
        }
        return role(project, user).map(role -> memberPermissions(user, role).canManageSshFleets()).orElse(false);
    }

    /** The names of the project's admins (the application layer checks who may change their roles). */
    public java.util.Set<String> adminNames(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> {
            java.util.Set<UUID> ids = tx.projects().members(project.id()).stream()
                    .filter(m -> ProjectRole.ADMIN.wireValue().equals(m.projectRole())).map(MemberRow::userId)
                    .collect(Collectors.toSet());
            return tx.users().list().stream().filter(u -> ids.contains(u.id())).map(UserRow::name)
                    .collect(Collectors.toSet());
        });
    }

    /** dstack's {@code can_manage_secrets} for a member (a global admin always can). */
    boolean canManageSecrets(ProjectRow project, UserRow user) {
        if (Users.isAdmin(user)) {
            return true;
        }
        return role(project, user).map(role -> memberPermissions(user, role).canManageSecrets()).orElse(false);
    }

    /**
     * dstack's {@code update_project} (project admins): sets {@code is_public} when given. UI templates repos are not
     * kept by this server, so asking to set one is refused rather than silently dropped.
     */
    public Project update(ProjectRow project, Boolean isPublic, String templatesRepo) {
        if (templatesRepo != null && !templatesRepo.isBlank()) {
            throw new DstackException(ErrorCode.ERROR, "templates_repo is not supported by this server");
        }
        if (isPublic != null && isPublic != project.isPublic()) {
            ProjectRow updated = new ProjectRow(project.id(), project.name(), project.ownerId(), project.createdAt(),
                    isPublic, project.deleted(), project.originalName(), project.sshPublicKey(), project.sshPrivateKey());
            context.store.useTransaction(tx -> tx.projects().update(updated));
            return view(updated);
        }
        return view(project);
    }

    /** dstack's {@code create_project}: the creator becomes the project's admin. */
    public Project create(UserRow caller, String name, boolean isPublic) {
        if (!users.canCreateProjects(caller)) {
            throw new DstackException(ErrorCode.FORBIDDEN, "User cannot create projects");
        }
        if (name == null || !PROJECT_NAME.matcher(name).matches()) {
            throw new DstackException(ErrorCode.ERROR, "Project name should match regex '" + PROJECT_NAME.pattern() + "'");
        }
        if (find(name).isPresent()) {
            throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Resource exists");
        }
        JobSshKey key = JobSshKeys.generate(); // slow: only once the name is known to be free
        ProjectRow project = new ProjectRow(UUID.randomUUID(), name, caller.id(), context.clock.instant(), isPublic, false,
                null, key.publicKey(), key.privateKey());
        context.store.useTransaction(tx -> {
            if (find(tx, name).isPresent()) {
                throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Resource exists");
            }
            if (!Users.isAdmin(caller)) {
                long owned = tx.projects().list().stream()
                        .filter(p -> !p.deleted() && p.ownerId().equals(caller.id())).count();
                if (owned >= caller.projectsQuota()) {
                    throw new DstackException(ErrorCode.ERROR, "User project quota exceeded");
                }
            }
            tx.projects().insert(project);
            tx.projects().addMember(new MemberRow(UUID.randomUUID(), project.id(), caller.id(),
                    ProjectRole.ADMIN.wireValue(), 0));
            context.events.record(tx, "Project created", caller.id(),
                    ai.dstack.core.internal.context.EventLog.project(project, project.name()));
        });
        return view(project);
    }

    /**
     * dstack's {@code delete_projects}: soft deletion (renamed {@code _deleted_<ts>_<hex>}). A non-admin must be an
     * admin or the owner of each; projects with active runs, fleets or volumes are refused.
     */
    public void delete(UserRow caller, List<String> names) {
        String timestamp = Long.toString(context.clock.instant().getEpochSecond());
        context.store.useTransaction(tx -> {
            if (!Users.isAdmin(caller)) {
                for (String name : names) {
                    ProjectRow project = tx.projects().findByName(name).filter(p -> !p.deleted()).orElse(null);
                    Optional<MemberRow> member = project == null ? Optional.empty()
                            : tx.projects().members(project.id()).stream()
                                    .filter(m -> m.userId().equals(caller.id())).findFirst();
                    if (member.isEmpty()) {
                        throw new DstackException(ErrorCode.FORBIDDEN, "Access denied");
                    }
                    boolean admin = project.ownerId().equals(caller.id())
                            || ProjectRole.ADMIN.wireValue().equals(member.get().projectRole());
                    if (!admin) {
                        throw new DstackException(ErrorCode.FORBIDDEN, "Access denied");
                    }
                }
            }
            List<ProjectRow> projects = tx.projects().list().stream()
                    .filter(p -> !p.deleted() && names.contains(p.name())).toList();
            if (projects.size() != new HashSet<>(names).size()) {
                throw new DstackException(ErrorCode.ERROR, "Failed to delete non-existent projects");
            }
            for (ProjectRow project : projects) {
                checkNoActiveResources(tx, project);
            }
            for (ProjectRow project : projects) {
                context.events.record(tx, "Project deleted", caller.id(),
                        ai.dstack.core.internal.context.EventLog.project(project, project.name()));
                byte[] suffix = new byte[8];
                random.nextBytes(suffix);
                tx.projects().update(new ProjectRow(project.id(), "_deleted_" + timestamp + "_" + HexFormat.of().formatHex(suffix),
                        project.ownerId(), project.createdAt(), project.isPublic(), true, project.name(),
                        project.sshPublicKey(), project.sshPrivateKey()));
            }
        });
    }

    private static void checkNoActiveResources(StoreTransaction tx, ProjectRow project) {
        List<String> runs = tx.runs().listByProject(project.id(), true, Integer.MAX_VALUE).stream()
                .filter(r -> !RunStatus.fromWireValue(r.status()).isFinished()).map(RunRow::runName).toList();
        if (!runs.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, "Failed to delete project with active runs: " + Paging.pythonList(runs));
        }
        List<String> fleets = tx.fleets().listByProject(project.id()).stream()
                .filter(f -> !f.deleted()).map(f -> f.name()).toList();
        if (!fleets.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, "Failed to delete project with active fleets: " + Paging.pythonList(fleets));
        }
        List<String> volumes = tx.volumes().listByProject(project.id()).stream().map(v -> v.name()).toList();
        if (!volumes.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, "Failed to delete project with active volumes: "
                    + Paging.pythonList(volumes));
        }
    }

    /**
     * dstack's {@code set_project_members}: replaces every member; unknown users are skipped. A manager may not
     * change who the admins are.
     */
    public Project setMembers(UserRow caller, ProjectRow project, List<MemberSetting> members) {
        checkNoDuplicates(members);
        context.store.useTransaction(tx -> {
            List<MemberRow> current = tx.projects().members(project.id());
            List<UserRow> allUsers = tx.users().list();
            if (!Users.isAdmin(caller) && roleOf(current, caller) == ProjectRole.MANAGER) {
                Map<UUID, UserRow> byId = allUsers.stream().collect(Collectors.toMap(UserRow::id, u -> u));
                var wanted = members.stream().filter(m -> m.projectRole() == ProjectRole.ADMIN)
                        .map(MemberSetting::username).collect(Collectors.toSet());
                var admins = current.stream().filter(m -> ProjectRole.ADMIN.wireValue().equals(m.projectRole()))
                        .map(m -> byId.get(m.userId())).filter(u -> u != null).map(UserRow::name)
                        .collect(Collectors.toSet());
                if (!wanted.equals(admins)) {
                    throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: changing project admins");
                }
            }
            List<MemberRow> rows = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                MemberSetting setting = members.get(i);
                Optional<UserRow> user = users.findByNameOrEmail(allUsers, setting.username());
                if (user.isPresent() && rows.stream().noneMatch(r -> r.userId().equals(user.get().id()))) {
                    rows.add(new MemberRow(UUID.randomUUID(), project.id(), user.get().id(),
                            setting.projectRole().wireValue(), i));
                }
            }
            if (rows.stream().noneMatch(r -> ProjectRole.ADMIN.wireValue().equals(r.projectRole()))) {
                throw noAdminLeft();
            }
            tx.projects().replaceMembers(project.id(), rows);
        });
        return view(project);
    }

    /** No change may leave a project without an admin: only a global admin could manage it then. */
    private static DstackException noAdminLeft() {
        return new DstackException(ErrorCode.ERROR, "A project must keep at least one admin");
    }

    /**
     * dstack's {@code add_project_members}: adds members or changes their role. Managers may not add admins; a
     * non-member may join a public project, as a user, by naming only itself.
     */
    public Project addMembers(UserRow caller, ProjectRow project, List<MemberSetting> members) {
        checkNoDuplicates(members);
        context.store.useTransaction(tx -> {
            List<MemberRow> current = tx.projects().members(project.id());
            ProjectRole callerRole = roleOf(current, caller);
            boolean selfJoin = members.size() == 1 && project.isPublic() && callerRole == null
                    && names(caller, members.get(0).username());
            if (!selfJoin) {
                boolean manages = callerRole == ProjectRole.ADMIN || callerRole == ProjectRole.MANAGER;
                if (!Users.isAdmin(caller) && !manages) {
                    throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: insufficient permissions to add members");
                }
                if (!Users.isAdmin(caller) && callerRole == ProjectRole.MANAGER
                        && members.stream().anyMatch(m -> m.projectRole() == ProjectRole.ADMIN)) {
                    throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: only global admins can add project admins");
                }
            } else if (members.get(0).projectRole() != ProjectRole.USER) {
                throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: can only join public projects as user role");
            }
            List<UserRow> allUsers = tx.users().list();
            int next = current.stream().mapToInt(MemberRow::memberNum).max().orElse(-1) + 1;
            for (MemberSetting setting : members) {
                UserRow user = users.findByNameOrEmail(allUsers, setting.username())
                        .orElseThrow(() -> new DstackException(ErrorCode.ERROR, "User not found: " + setting.username()));
                Optional<MemberRow> existing = tx.projects().members(project.id()).stream()
                        .filter(m -> m.userId().equals(user.id())).findFirst();
                if (existing.isPresent()) {
                    if (!existing.get().projectRole().equals(setting.projectRole().wireValue())) {
                        tx.projects().removeMember(project.id(), user.id());
                        tx.projects().addMember(new MemberRow(existing.get().id(), project.id(), user.id(),
                                setting.projectRole().wireValue(), existing.get().memberNum()));
                    }
                } else {
                    tx.projects().addMember(new MemberRow(UUID.randomUUID(), project.id(), user.id(),
                            setting.projectRole().wireValue(), next++));
                }
            }
            if (tx.projects().members(project.id()).stream()
                    .noneMatch(m -> ProjectRole.ADMIN.wireValue().equals(m.projectRole()))) {
                throw noAdminLeft();
            }
        });
        return view(project);
    }

    /**
     * dstack's {@code remove_project_members}: managers remove others (only global admins remove admins); any member
     * may leave, unless it is the last admin; the admins are never all removed.
     */
    public Project removeMembers(UserRow caller, ProjectRow project, List<String> usernames) {
        context.store.useTransaction(tx -> {
            List<MemberRow> current = tx.projects().members(project.id());
            ProjectRole callerRole = roleOf(current, caller);
            boolean selfLeave = usernames.size() == 1 && names(caller, usernames.get(0)) && callerRole != null;
            if (!selfLeave && !Users.isAdmin(caller)
                    && callerRole != ProjectRole.ADMIN && callerRole != ProjectRole.MANAGER) {
                throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: insufficient permissions to remove members");
            }
            List<UserRow> allUsers = tx.users().list();
            long admins = current.stream().filter(m -> ProjectRole.ADMIN.wireValue().equals(m.projectRole())).count();
            int adminRemovals = 0;
            List<UUID> removed = new ArrayList<>();
            for (String username : usernames) {
                UserRow user = users.findByNameOrEmail(allUsers, username)
                        .orElseThrow(() -> new DstackException(ErrorCode.ERROR, "User not found: " + username));
                MemberRow member = current.stream().filter(m -> m.userId().equals(user.id())).findFirst()
                        .orElseThrow(() -> new DstackException(ErrorCode.ERROR,
                                "User is not a member of this project: " + username));
                if (ProjectRole.ADMIN.wireValue().equals(member.projectRole())) {
                    if (selfLeave) {
                        if (admins <= 1) {
                            throw new DstackException(ErrorCode.ERROR, "Cannot leave project: you are the last admin");
                        }
                    } else if (!Users.isAdmin(caller)) {
                        throw new DstackException(ErrorCode.FORBIDDEN,
                                "Access denied: only global admins can remove project admins (user: " + username + ")");
                    }
                    adminRemovals++;
                }
                removed.add(user.id());
            }
            if (!selfLeave && adminRemovals >= admins) {
                throw new DstackException(ErrorCode.ERROR, "Cannot remove all project admins");
            }
            removed.forEach(id -> tx.projects().removeMember(project.id(), id));
        });
        return view(project);
    }

    private static void checkNoDuplicates(List<MemberSetting> members) {
        if (members.stream().map(MemberSetting::username).distinct().count() != members.size()) {
            throw new DstackException(ErrorCode.ERROR, "Cannot add same user multiple times");
        }
    }

    private static ProjectRole roleOf(List<MemberRow> members, UserRow user) {
        return members.stream().filter(m -> m.userId().equals(user.id()))
                .map(m -> ProjectRole.fromWireValue(m.projectRole())).findFirst().orElse(null);
    }

    private static boolean names(UserRow user, String nameOrEmail) {
        return user.name().equals(nameOrEmail) || (user.email() != null && user.email().equals(nameOrEmail));
    }
}
