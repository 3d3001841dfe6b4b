package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Projects and their members: tables {@code projects} and {@code members}. */
public interface ProjectStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the name is taken */
    void insert(ProjectRow project);

    Optional<ProjectRow> find(UUID id);

    Optional<ProjectRow> findByName(String name);

    /** All projects, deleted ones included, by name. */
    List<ProjectRow> list();

    /** Writes every column but the id. False if there is no such project. */
    boolean update(ProjectRow project);

    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the user is already a member */
    void addMember(MemberRow member);

    /** False if the user was not a member. */
    boolean removeMember(UUID projectId, UUID userId);

    /** Replaces all members of the project with {@code members} (dstack's {@code set_project_members}). */
    void replaceMembers(UUID projectId, List<MemberRow> members);

    /** The project's members by {@code member_num}. */
    List<MemberRow> members(UUID projectId);

    /** The user's memberships, one per project. */
    List<MemberRow> memberships(UUID userId);
}
