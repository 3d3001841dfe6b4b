package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoHead;
import ai.dstack.api.repo.RepoHeadWithCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.UserRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * dstack's repos service: the repos a project knows, by repo id, with each user's credentials for remote repos.
 *
 * <p>dstack keeps per-user credentials in a table of their own; here they live in the repo's {@code creds} column
 * as one JSON object keyed by user id, so that no user ever reads another's credentials.
 */
public final class Repos {
    private final EngineContext context;

    public Repos(EngineContext context) {
        this.context = context;
    }

    public List<RepoHead> list(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> tx.repos().list(project.id())).stream()
                .map(r -> new RepoHead(r.name(), info(r))).toList();
    }

    /** The repo, with the caller's credentials when asked for and the repo is remote. */
    public RepoHeadWithCreds get(ProjectRow project, UserRow caller, String repoId, boolean includeCreds) {
        RepoRow repo = find(project, repoId)
                .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found"));
        RemoteRepoCreds creds = null;
        if (includeCreds && "remote".equals(repo.type())) {
            JsonNode mine = credsByUser(repo).get(caller.id().toString());
            creds = mine == null ? null : Json.read(mine.toString(), RemoteRepoCreds.class);
        }
        return new RepoHeadWithCreds(repo.name(), info(repo), creds);
    }

    /** The credentials {@code user} gave for a remote repo with {@code dstack init} (or the repo creds API). */
    public static Optional<RemoteRepoCreds> credsOf(RepoRow repo, UUID user) {
        JsonNode mine = credsByUser(repo).get(user.toString());
        return mine == null ? Optional.empty() : Optional.of(Json.read(mine.toString(), RemoteRepoCreds.class));
    }

    public Optional<RepoRow> find(ProjectRow project, String repoId) {
        return context.store.inReadOnlyTransaction(tx -> tx.repos().find(project.id(), repoId));
    }

    /**
     * dstack's {@code init_repo}: creates or updates the repo; for a remote repo it saves the caller's credentials,
     * or deletes them when none are given.
     */
    public void init(ProjectRow project, UserRow caller, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        try {
            initOnce(project, caller, repoId, info, creds);
        } catch (DstackException e) {
            if (e.code() != ErrorCode.RESOURCE_EXISTS) {
                throw e;
            }
            // A concurrent call created the repo between our look and our insert (two applies of a new project's
            // first runs): the row is there now, so this attempt updates it.
            initOnce(project, caller, repoId, info, creds);
        }
    }

    private void initOnce(ProjectRow project, UserRow caller, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        String infoJson = Json.write(info);
        context.store.useTransaction(tx -> {
            Optional<RepoRow> existing = tx.repos().find(project.id(), repoId);
            String credsJson = existing.map(RepoRow::creds).orElse(null);
            if (info instanceof RepoInfo.Remote) {
                ObjectNode byUser = existing.map(Repos::credsByUser).orElseGet(() -> DstackJson.mapper().createObjectNode());
                if (creds != null) {
                    byUser.set(caller.id().toString(), DstackJson.mapper().valueToTree(creds));
                } else {
                    byUser.remove(caller.id().toString());
                }
                credsJson = byUser.isEmpty() ? null : byUser.toString();
            }
            if (existing.isPresent()) {
                tx.repos().update(new RepoRow(existing.get().id(), project.id(), repoId, info.repoType(), infoJson, credsJson));
            } else {
                tx.repos().insert(new RepoRow(UUID.randomUUID(), project.id(), repoId, info.repoType(), infoJson, credsJson));
            }
        });
    }

    /** Deletes the named repos; unknown ids are ignored, as dstack ignores them. */
    public void delete(ProjectRow project, List<String> repoIds) {
        context.store.useTransaction(tx -> repoIds.forEach(id -> tx.repos().delete(project.id(), id)));
    }

    private static RepoInfo info(RepoRow repo) {
        return Json.read(repo.info(), RepoInfo.class);
    }

    private static ObjectNode credsByUser(RepoRow repo) {
        if (repo.creds() == null) {
            return DstackJson.mapper().createObjectNode();
        }
        try {
            JsonNode node = DstackJson.mapper().readTree(repo.creds());
            return node instanceof ObjectNode object && !object.has("clone_url") ? object : DstackJson.mapper().createObjectNode();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return DstackJson.mapper().createObjectNode();
        }
    }
}
