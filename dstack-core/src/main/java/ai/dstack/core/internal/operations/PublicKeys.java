package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.storage.PublicKeyRow;
import ai.dstack.spi.storage.UserRow;
import java.util.List;
import java.util.UUID;

/** dstack's public keys service: the SSH public keys a user adds to its own account. */
public final class PublicKeys {
    private final EngineContext context;

    public PublicKeys(EngineContext context) {
        this.context = context;
    }

    /** The caller's keys, newest first. */
    public List<PublicKeyInfo> list(UserRow caller) {
        return context.store.inReadOnlyTransaction(tx -> tx.publicKeys().list(caller.id())).stream()
                .map(PublicKeys::info).toList();
    }

    /**
     * Adds a key in OpenSSH's one-line format; its name defaults to the key's comment, else the md5 of the key.
     *
     * @throws DstackException {@code RESOURCE_EXISTS} if the caller already has this key
     */
    public PublicKeyInfo add(UserRow caller, String key, String name) {
        OpenSshPublicKey parsed = OpenSshPublicKey.parse(key);
        PublicKeyRow row = new PublicKeyRow(UUID.randomUUID(), caller.id(), context.clock.instant(),
                name == null || name.isEmpty() ? parsed.defaultName() : name, parsed.type(), parsed.fingerprint(), key);
        try {
            context.store.useTransaction(tx -> tx.publicKeys().insert(row));
        } catch (DstackException e) {
            if (e.code() == ErrorCode.RESOURCE_EXISTS) {
                throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Resource exists");
            }
            throw e;
        }
        return info(row);
    }

    /** Deletes the caller's keys with these ids; other ids are ignored, as dstack ignores them. */
    public void delete(UserRow caller, List<UUID> ids) {
        context.store.useTransaction(tx -> tx.publicKeys().delete(caller.id(), ids));
    }

    private static PublicKeyInfo info(PublicKeyRow row) {
        return new PublicKeyInfo(row.id(), row.createdAt(), row.name(), row.type(), row.fingerprint());
    }
}
