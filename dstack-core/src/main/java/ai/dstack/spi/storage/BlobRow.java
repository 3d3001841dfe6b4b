package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * An uploaded blob keyed by the sha256 its uploader named it by: a repo's code (table {@code codes}, owner = the
 * repo's row id) or a user's file archive (table {@code file_archives}, owner = the user's id), as dstack keeps them.
 *
 * @param blobHash the uploaded file's name, which dstack's clients set to the sha256 hex of the content
 */
public record BlobRow(UUID id, UUID ownerId, String blobHash, byte[] blob) {
    public BlobRow {
        Rows.required(id, "id");
        Rows.required(ownerId, "ownerId");
        Rows.required(blobHash, "blobHash");
        Rows.required(blob, "blob");
    }
}
