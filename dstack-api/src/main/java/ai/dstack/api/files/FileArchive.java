package ai.dstack.api.files;

import java.util.Objects;
import java.util.UUID;

/**
 * A tar archive uploaded with {@code files/upload_archive}; runs refer to it by id in
 * {@code RunSpec.file_archives}.
 *
 * @param hash the sha256 hex of the archive, as the uploader named it
 */
public record FileArchive(UUID id, String hash) {
    public FileArchive {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(hash, "hash is null");
    }
}
