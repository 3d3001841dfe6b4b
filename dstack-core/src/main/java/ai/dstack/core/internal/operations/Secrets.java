package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.secret.Secret;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.UserRow;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * dstack's secrets service. Every call first checks dstack's {@code can_manage_secrets} (global admins, project
 * admins, and managers when the server allows it); listing never returns values.
 */
public final class Secrets {
    /** dstack's rule for secret names. */
    public static final Pattern SECRET_NAME = Pattern.compile("^[A-Za-z0-9-_]{1,200}$");
    public static final int MAX_VALUE_LENGTH = 5000;

    private final EngineContext context;
    private final Projects projects;

    public Secrets(EngineContext context, Projects projects) {
        this.context = context;
        this.projects = projects;
    }

    public List<Secret> list(ProjectRow project, UserRow caller) {
        checkCanManage(project, caller);
        return context.store.inReadOnlyTransaction(tx -> tx.secrets().list(project.id())).stream()
                .map(s -> new Secret(s.id(), s.name(), null)).toList();
    }

    public Secret get(ProjectRow project, UserRow caller, String name) {
        checkCanManage(project, caller);
        SecretRow secret = context.store.inReadOnlyTransaction(tx -> tx.secrets().find(project.id(), name))
                .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found"));
        return new Secret(secret.id(), secret.name(), secret.value());
    }

    public Secret createOrUpdate(ProjectRow project, UserRow caller, String name, String value) {
        checkCanManage(project, caller);
        if (!SECRET_NAME.matcher(name).matches()) {
            // dstack's message lacks the closing quote; kept as dstack sends it.
            throw new DstackException(ErrorCode.ERROR, "Secret name should match regex '" + SECRET_NAME.pattern());
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new DstackException(ErrorCode.ERROR, "Secret value length must not exceed " + MAX_VALUE_LENGTH);
        }
        Instant now = context.clock.instant();
        SecretRow stored = context.store.inTransaction(tx -> {
            Optional<SecretRow> existing = tx.secrets().find(project.id(), name);
            if (existing.isPresent()) {
                SecretRow updated = new SecretRow(existing.get().id(), project.id(), name, value,
                        existing.get().createdAt(), now);
                tx.secrets().update(updated);
                context.events.record(tx, "Secret updated", caller.id(), EventLog.secret(updated));
                return updated;
            }
            SecretRow created = new SecretRow(UUID.randomUUID(), project.id(), name, value, now, now);
            tx.secrets().insert(created);
            context.events.record(tx, "Secret created", caller.id(), EventLog.secret(created));
            return created;
        });
        return new Secret(stored.id(), stored.name(), stored.value());
    }

    /** Deletes all or none: any missing name is an error naming every missing one. */
    public void delete(ProjectRow project, UserRow caller, List<String> names) {
        checkCanManage(project, caller);
        context.store.useTransaction(tx -> {
            Set<String> missing = new LinkedHashSet<>();
            for (String name : names) {
                if (tx.secrets().find(project.id(), name).isEmpty()) {
                    missing.add(name);
                }
            }
            if (!missing.isEmpty()) {
                throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Secrets not found: " + String.join(", ", missing));
            }
            for (String name : names) {
                SecretRow secret = tx.secrets().find(project.id(), name).orElseThrow();
                tx.secrets().delete(project.id(), name);
                context.events.record(tx, "Secret deleted", caller.id(), EventLog.secret(secret));
            }
        });
    }

    private void checkCanManage(ProjectRow project, UserRow caller) {
        if (!projects.canManageSecrets(project, caller)) {
            throw new DstackException(ErrorCode.FORBIDDEN, "Access denied");
        }
    }
}
