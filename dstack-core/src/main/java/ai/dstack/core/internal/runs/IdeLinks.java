package ai.dstack.core.internal.runs;

import java.util.Optional;

/** The IDE links dstack shows for a dev environment ({@code vscode://vscode-remote/ssh-remote+<host><dir>}, ...). */
public final class IdeLinks {
    private IdeLinks() {}

    /** The IDE's human-readable name ("VS Code"), if {@code ide} names one dstack knows. */
    public static Optional<String> name(String ide) {
        return Optional.ofNullable(Ides.fromWireValue(ide)).map(Ides::displayName);
    }

    /** The link that opens {@code workingDir} over SSH to {@code authority} ({@code [user@]host[:port]}). */
    public static Optional<String> url(String ide, String authority, String workingDir) {
        return Optional.ofNullable(Ides.fromWireValue(ide)).map(found -> found.url(authority, workingDir));
    }
}
