package ai.dstack.backend.ssh.internal;

import ai.dstack.spi.host.ShellJobProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** The command lines this module sends: the protocol's scripts wrapped for an SSH exec request. */
final class RemoteScripts {
    static final String STATUS = resource("job-status.sh");
    /** Prints the host's container runtime, {@code docker} or {@code podman}, or nothing. */
    static final String CONTAINER_RUNTIME = resource("container-runtime.sh");
    /** Exits 0 when one of a job's own processes listens on a port; see the script. */
    static final String JOB_LISTENS = resource("job-listens.sh");
    /** Makes a job's directory and records the GPUs it gets there; see the script. */
    static final String GPU_ALLOCATE = resource("gpu-allocate.sh");
    static final String PROBE = resource("host-probe.sh").replace("# (container-runtime.sh goes here)\n",
            CONTAINER_RUNTIME);

    private RemoteScripts() {}

    /** {@code bash -c '<script>' <name> '<arg>'...}: the login shell of the host only has to start bash. */
    static String bashC(String script, String name, List<String> args) {
        StringBuilder command = new StringBuilder("bash -c ").append(ShellJobProtocol.shellQuote(script)).append(' ')
                .append(name);
        for (String arg : args) {
            command.append(' ').append(ShellJobProtocol.shellQuote(arg));
        }
        return command.toString();
    }

    /** {@code bash -s -- '<arg>'...}: the script comes on stdin, so its size is not bound by the command line's. */
    static String bashStdin(List<String> args) {
        StringBuilder command = new StringBuilder("bash -s --");
        for (String arg : args) {
            command.append(' ').append(ShellJobProtocol.shellQuote(arg));
        }
        return command.toString();
    }

    /** A here-document writing {@code content} to {@code file} (a shell word), whatever the content holds. */
    static String writeFile(String file, String content) {
        String delimiter = "DSTACK_EOF_" + UUID.randomUUID().toString().replace("-", "");
        return "cat >" + file + " <<'" + delimiter + "'\n" + content + (content.endsWith("\n") ? "" : "\n")
                + delimiter + "\n";
    }

    private static String resource(String name) {
        try (InputStream in = RemoteScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from dstack-backend-ssh's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
