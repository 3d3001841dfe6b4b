package ai.dstack.api.run;

import java.util.Objects;
import java.util.UUID;

/**
 * An uploaded file archive and where it is unpacked in the container.
 *
 * @param id the archive's id from {@code files/upload_archive}
 * @param path the container path; relative paths are under the working directory
 */
public record FileArchiveMapping(UUID id, String path) {
    public FileArchiveMapping {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(path, "path is null");
    }
}
