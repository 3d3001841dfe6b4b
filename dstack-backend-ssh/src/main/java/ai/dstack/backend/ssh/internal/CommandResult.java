package ai.dstack.backend.ssh.internal;

import java.nio.charset.StandardCharsets;

/** What a command run over SSH left: its exit code and its output. */
record CommandResult(int exitCode, byte[] stdout, String stderr) {
    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    boolean succeeded() {
        return exitCode == 0;
    }

    /** stderr, or stdout when stderr is empty, or the exit code: the best words for a failure. */
    String diagnostic() {
        String text = !stderr.isBlank() ? stderr.strip() : out().strip();
        return text.isEmpty() ? "exit code " + exitCode : text;
    }
}
