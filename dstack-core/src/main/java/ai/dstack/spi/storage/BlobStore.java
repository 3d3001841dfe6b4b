package ai.dstack.spi.storage;

import java.util.Optional;
import java.util.UUID;

/**
 * Uploaded blobs of one kind ({@code codes} or {@code file_archives}): one row per owner and hash, written once and
 * never changed, so that an upload of the same content is a no-op.
 */
public interface BlobStore {
    /** Inserts the blob unless the owner has one with this hash already; true if it was inserted. */
    boolean insertIfAbsent(BlobRow blob);

    Optional<BlobRow> find(UUID id);

    Optional<BlobRow> findByHash(UUID ownerId, String blobHash);
}
