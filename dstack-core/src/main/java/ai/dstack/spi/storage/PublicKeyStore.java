package ai.dstack.spi.storage;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Users' own SSH public keys: table {@code user_public_keys}. */
public interface PublicKeyStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the user has a key with this fingerprint */
    void insert(PublicKeyRow key);

    /** The user's keys, newest first. */
    List<PublicKeyRow> list(UUID userId);

    /** Deletes those of the user's keys whose ids are given (others' keys and unknown ids are ignored); the number deleted. */
    int delete(UUID userId, Collection<UUID> ids);
}
