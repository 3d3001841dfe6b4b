package ai.dstack.core.internal.context;

import java.util.Optional;
import java.util.UUID;

/** Uploaded repo code and file archives as a job's launch reads them (the operations store them). */
public interface UploadedBlobs {
    /** The repo's code blob with this hash, if it was uploaded. */
    Optional<byte[]> code(UUID projectId, String repoId, String hash);

    /** An archive's content by id, if {@code owner} uploaded it (a run unpacks only its own user's archives). */
    Optional<byte[]> archive(UUID id, UUID owner);
}
