package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.files.FileArchive;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.UploadedBlobs;
import ai.dstack.spi.storage.BlobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.UserRow;
import java.util.Optional;
import java.util.UUID;

/**
 * dstack's uploads: a repo's code ({@code repos/upload_code}, per repo) and file archives
 * ({@code files/upload_archive}, per user), each kept once per hash, for jobs to unpack when they start.
 */
public final class Uploads implements UploadedBlobs {
    private final EngineContext context;

    public Uploads(EngineContext context) {
        this.context = context;
    }

    /**
     * Stores the repo's code blob unless one with this hash is stored already.
     *
     * @throws DstackException {@code REPO_DOES_NOT_EXIST} if the project has no such repo
     */
    public void uploadCode(ProjectRow project, String repoId, String hash, byte[] blob) {
        requireHash(hash);
        context.store.useTransaction(tx -> {
            RepoRow repo = tx.repos().find(project.id(), repoId).orElseThrow(() -> repoMissing(repoId));
            requireContentHash(hash, blob);
            tx.codes().insertIfAbsent(new BlobRow(UUID.randomUUID(), repo.id(), hash, blob));
        });
    }

    @Override
    public Optional<byte[]> code(UUID projectId, String repoId, String hash) {
        return context.store.inReadOnlyTransaction(tx -> tx.repos().find(projectId, repoId)
                .flatMap(repo -> tx.codes().findByHash(repo.id(), hash))).map(BlobRow::blob);
    }

    /** Stores the caller's archive unless it has one with this hash; either way returns the stored one. */
    public FileArchive uploadArchive(UserRow caller, String hash, byte[] blob) {
        requireHash(hash);
        requireContentHash(hash, blob);
        return context.store.inTransaction(tx -> {
            tx.fileArchives().insertIfAbsent(new BlobRow(UUID.randomUUID(), caller.id(), hash, blob));
            BlobRow stored = tx.fileArchives().findByHash(caller.id(), hash)
                    .orElseThrow(() -> new DstackException(ErrorCode.INTERNAL, "Failed to upload archive"));
            return new FileArchive(stored.id(), stored.blobHash());
        });
    }

    /** @throws DstackException {@code RESOURCE_NOT_EXISTS} if the caller uploaded no archive with this hash */
    public FileArchive archiveByHash(UserRow caller, String hash) {
        return context.store.inReadOnlyTransaction(tx -> tx.fileArchives().findByHash(caller.id(), hash))
                .map(row -> new FileArchive(row.id(), row.blobHash()))
                .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found"));
    }

    /** Whether the file archive with this id was uploaded by {@code user}. */
    public boolean ownsArchive(UUID id, UserRow user) {
        return context.store.inReadOnlyTransaction(tx -> tx.fileArchives().find(id))
                .filter(blob -> blob.ownerId().equals(user.id())).isPresent();
    }

    @Override
    public Optional<byte[]> archive(UUID id, UUID owner) {
        return context.store.inReadOnlyTransaction(tx -> tx.fileArchives().find(id))
                .filter(blob -> blob.ownerId().equals(owner)).map(BlobRow::blob);
    }

    private static void requireHash(String hash) {
        if (hash == null || hash.isBlank()) {
            throw new DstackException(ErrorCode.ERROR, "filename not specified");
        }
    }

    /**
     * dstack's clients name an upload by its content's SHA-256, and blobs are kept once per name: a name that is not
     * the content's hash would put other content under it.
     */
    private static void requireContentHash(String hash, byte[] blob) {
        String actual;
        try {
            actual = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        if (!actual.equalsIgnoreCase(hash)) {
            throw new DstackException(ErrorCode.ERROR, "The upload's file name '" + hash
                    + "' is not the SHA-256 of its content (" + actual + ")");
        }
    }

    private static DstackException repoMissing(String repoId) {
        return new DstackException(ErrorCode.REPO_DOES_NOT_EXIST, "Repo " + repoId + " does not exist");
    }
}
