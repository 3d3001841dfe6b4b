package ai.dstack.storage.internal;

import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.ProjectStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

final class JdbcProjectStore implements ProjectStore {
    private static final RecordSql PROJECTS = RecordSql.of("projects", ProjectRow.class);
    private static final RecordSql MEMBERS = RecordSql.of("members", MemberRow.class);
    private static final String UPDATE = PROJECTS.updateById(Set.of());

    private final TxContext tx;

    JdbcProjectStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(ProjectRow project) {
        Objects.requireNonNull(project, "project is null");
        Inserts.insert(tx, PROJECTS, project, "Project '" + project.name() + "'");
    }

    @Override
    public Optional<ProjectRow> find(UUID id) {
        return findBy("id", id);
    }

    @Override
    public Optional<ProjectRow> findByName(String name) {
        return findBy("name", name);
    }

    @Override
    public List<ProjectRow> list() {
        return tx.handle().createQuery("SELECT * FROM projects ORDER BY name").mapTo(ProjectRow.class).list();
    }

    @Override
    public boolean update(ProjectRow project) {
        return tx.handle().createUpdate(UPDATE).bindMethods(Objects.requireNonNull(project, "project is null"))
                .execute() == 1;
    }

    @Override
    public void addMember(MemberRow member) {
        Objects.requireNonNull(member, "member is null");
        Inserts.insert(tx, MEMBERS, member,
                "Membership of user " + member.userId() + " in project " + member.projectId());
    }

    @Override
    public boolean removeMember(UUID projectId, UUID userId) {
        return tx.handle().createUpdate("DELETE FROM members WHERE project_id = :projectId AND user_id = :userId")
                .bind("projectId", projectId)
                .bind("userId", userId)
                .execute() > 0;
    }

    @Override
    public void replaceMembers(UUID projectId, List<MemberRow> members) {
        Objects.requireNonNull(members, "members is null");
        for (MemberRow member : members) {
            if (!member.projectId().equals(projectId)) {
                throw new IllegalArgumentException(
                        "Member " + member.id() + " belongs to project " + member.projectId() + ", not " + projectId);
            }
        }
        tx.handle().createUpdate("DELETE FROM members WHERE project_id = :projectId")
                .bind("projectId", projectId)
                .execute();
        members.forEach(this::addMember);
    }

    @Override
    public List<MemberRow> members(UUID projectId) {
        return tx.handle().createQuery("SELECT * FROM members WHERE project_id = :projectId ORDER BY member_num, id")
                .bind("projectId", projectId)
                .mapTo(MemberRow.class)
                .list();
    }

    @Override
    public List<MemberRow> memberships(UUID userId) {
        return tx.handle().createQuery("SELECT * FROM members WHERE user_id = :userId ORDER BY project_id")
                .bind("userId", userId)
                .mapTo(MemberRow.class)
                .list();
    }

    private Optional<ProjectRow> findBy(String column, Object value) {
        return tx.handle().createQuery("SELECT * FROM projects WHERE " + column + " = :value")
                .bind("value", value)
                .mapTo(ProjectRow.class)
                .findOne();
    }
}
