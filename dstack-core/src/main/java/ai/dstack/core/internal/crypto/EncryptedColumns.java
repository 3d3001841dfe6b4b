package ai.dstack.core.internal.crypto;

import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.UserRow;
import java.util.function.UnaryOperator;

/**
 * Which columns hold encrypted values, in one place: users' tokens and SSH private keys, projects' SSH private
 * keys, secrets' values, backends' credentials ({@code auth}, {@code source_auth}) and repos' credentials. Each
 * method applies {@code f} (encrypt or decrypt) to exactly those columns of a row.
 */
final class EncryptedColumns {
    private EncryptedColumns() {}

    /** A column transform that knows which value it works on, for error messages. */
    interface Transform {
        String apply(String value, String what);
    }

    static UserRow user(UserRow row, Transform f) {
        String who = "user '" + row.name() + "'";
        return row.toBuilder().token(f.apply(row.token(), "the token of " + who))
                .sshPrivateKey(f.apply(row.sshPrivateKey(), "the SSH private key of " + who)).build();
    }

    static ProjectRow project(ProjectRow row, Transform f) {
        return new ProjectRow(row.id(), row.name(), row.ownerId(), row.createdAt(), row.isPublic(), row.deleted(),
                row.originalName(), row.sshPublicKey(),
                f.apply(row.sshPrivateKey(), "the SSH private key of project '" + row.name() + "'"));
    }

    static SecretRow secret(SecretRow row, Transform f) {
        return new SecretRow(row.id(), row.projectId(), row.name(),
                f.apply(row.value(), "secret '" + row.name() + "'"), row.createdAt(), row.updatedAt());
    }

    static BackendRow backend(BackendRow row, Transform f) {
        String what = "the credentials of backend '" + row.type() + "'";
        return new BackendRow(row.id(), row.projectId(), row.type(), row.config(), f.apply(row.auth(), what),
                row.sourceConfig(), f.apply(row.sourceAuth(), what));
    }

    static RepoRow repo(RepoRow row, Transform f) {
        return new RepoRow(row.id(), row.projectId(), row.name(), row.type(), row.info(),
                f.apply(row.creds(), "the credentials of repo '" + row.name() + "'"));
    }

    static Transform of(UnaryOperator<String> f) {
        return (value, what) -> f.apply(value);
    }
}
