package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a dev environment runs to prepare an IDE's remote server and to tell the user how to open it; the commands,
 * URLs and wording are dstack's ({@code server/services/ides}).
 */
enum Ides {
    VSCODE("vscode", "VS Code", "vscode"),
    CURSOR("cursor", "Cursor", "cursor"),
    WINDSURF("windsurf", "Windsurf", "windsurf"),
    ZED("zed", "Zed", "zed");

    /** The extensions dstack installs into every IDE server that takes extensions. */
    static final List<String> EXTENSIONS = List.of("ms-python.python", "ms-toolsai.jupyter");

    private final String wireValue;
    private final String displayName;
    private final String urlScheme;

    Ides(String wireValue, String displayName, String urlScheme) {
        this.wireValue = wireValue;
        this.displayName = displayName;
        this.urlScheme = urlScheme;
    }

    /** The IDE an {@code ide:} value names, or null. */
    static Ides fromWireValue(String value) {
        for (Ides ide : values()) {
            if (ide.wireValue.equals(value)) {
                return ide;
            }
        }
        return null;
    }

    /** Downloads and unpacks the IDE's server for {@code version} (none without a version), then adds extensions. */
    List<String> installCommands(String version, List<String> extensions) {
        if (version == null || this == ZED) {
            // Zed installs its own remote server on first connect, matching the client's version.
            return List.of();
        }
        String url;
        String archive;
        String target;
        String server;
        switch (this) {
            case VSCODE -> {
                url = "https://update.code.visualstudio.com/commit:" + version + "/server-linux-$arch/stable";
                archive = "vscode-server-linux-$arch.tar.gz";
                target = "~/.vscode-server/bin/\"" + version + "\"";
                server = "code-server";
            }
            case CURSOR -> {
                url = "https://cursor.blob.core.windows.net/remote-releases/" + version + "/vscode-reh-linux-$arch.tar.gz";
                archive = "vscode-reh-linux-$arch.tar.gz";
                target = "~/.cursor-server/cli/servers/\"Stable-" + version + "\"/server";
                server = "cursor-server";
            }
            case WINDSURF -> {
                String[] parts = version.split("@", -1);
                if (parts.length != 2) {
                    throw new DstackException(ErrorCode.ERROR,
                            "Invalid windsurf version '" + version + "': expected <version>@<commit>");
                }
                String release = parts[0];
                String commit = parts[1];
                url = "https://windsurf-stable.codeiumdata.com/linux-reh-$arch/stable/" + commit
                        + "/windsurf-reh-linux-$arch-" + release + ".tar.gz";
                archive = "windsurf-reh-linux-$arch.tar.gz";
                target = "~/.windsurf-server/bin/\"" + commit + "\"";
                server = "windsurf-server";
            }
            default -> throw new IllegalStateException("no install commands for " + this);
        }
        List<String> commands = new ArrayList<>(List.of(
                "if [ $(uname -m) = \"aarch64\" ]; then arch=\"arm64\"; else arch=\"x64\"; fi",
                "mkdir -p /tmp",
                "wget -q --show-progress \"" + url + "\" -O \"/tmp/" + archive + "\"",
                "mkdir -vp " + target,
                "tar --no-same-owner -xz --strip-components=1 -C " + target + " -f \"/tmp/" + archive + "\"",
                "rm \"/tmp/" + archive + "\""));
        if (!extensions.isEmpty()) {
            String flags = extensions.stream().map(e -> "--install-extension \"" + e + "\"").collect(Collectors.joining(" "));
            commands.add("PATH=\"$PATH\":" + target + "/bin " + server + " " + flags);
        }
        return commands;
    }

    String displayName() {
        return displayName;
    }

    /** Prints the link that opens the IDE on the run; {@code authority} is the SSH host alias (the run name). */
    List<String> readmeCommands(String authority) {
        return List.of(
                "echo 'To open in " + displayName + ", use link below:'",
                "echo",
                "echo \"  " + url(authority, "$DSTACK_WORKING_DIR") + "\"",
                "echo");
    }

    String url(String authority, String workingDir) {
        if (this == ZED) {
            return "zed://ssh/" + authority + workingDir;
        }
        return urlScheme + "://vscode-remote/ssh-remote+" + authority + workingDir;
    }
}
