package ai.dstack.cli.internal.ssh;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits OpenSSH config files as dstack's CLI does: one {@code Host <name>} block per run, replaced or removed as a
 * whole, and an {@code Include} of dstack's file on top of {@code ~/.ssh/config}. Writers of the same file take turns
 * through a lock file beside it, as dstack's do.
 */
public final class SshConfigFiles {
    private static final Pattern HOST = Pattern.compile("^Host\\s+(\\S+)$");

    private SshConfigFiles() {}

    /** Writes the block of {@code host} with {@code options}, replacing its old one; empty options remove it. */
    public static void update(Path file, String host, Map<String, String> options) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel lock = FileChannel.open(lockFile(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lock.lock(); // released when the channel closes
            StringBuilder content = new StringBuilder();
            if (Files.exists(file)) {
                boolean copy = true;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Matcher matcher = HOST.matcher(line.strip());
                    if (matcher.matches()) {
                        copy = !matcher.group(1).equals(host);
                    }
                    if (copy) {
                        content.append(line).append('\n');
                    }
                }
            }
            if (!options.isEmpty()) {
                content.append("Host ").append(host).append('\n');
                options.forEach((key, value) -> content.append("    ").append(key).append(' ').append(value).append('\n'));
            }
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
    }

    /**
     * Puts {@code Include <included>} on top of {@code sshConfig} unless it includes it already (also as
     * {@code ~/...}, the form dstack's own CLI writes).
     *
     * @return false when {@code sshConfig} cannot be written; the caller tells the user to add the line
     */
    public static boolean include(Path sshConfig, Path included, Path home) {
        String absolute = "Include " + included.toAbsolutePath() + "\n";
        String tilde = "Include ~/" + home.toAbsolutePath().relativize(included.toAbsolutePath()) + "\n";
        try {
            Path dir = sshConfig.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                dir.toFile().setReadable(false, false);
                dir.toFile().setReadable(true, true);
                dir.toFile().setExecutable(true, true);
            }
            try (FileChannel lock = FileChannel.open(lockFile(sshConfig), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lock.lock(); // released when the channel closes
                String content = Files.exists(sshConfig) ? Files.readString(sshConfig, StandardCharsets.UTF_8) : "";
                if (!content.contains(absolute) && !content.contains(tilde)) {
                    Files.writeString(sshConfig, absolute + content, StandardCharsets.UTF_8);
                }
            }
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static Path lockFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }
}
