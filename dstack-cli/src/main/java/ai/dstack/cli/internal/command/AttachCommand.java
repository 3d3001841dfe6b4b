package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ssh.RunConnection;
import ai.dstack.client.DstackProject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dstack attach RUN}: attaches to a running job over SSH when the server offers it (a host entry for
 * {@code ssh RUN}, the configuration's ports forwarded from this machine), follows the run's output until it ends,
 * and exits like {@code dstack apply}.
 */
@Command(name = "attach", description = "Attach to a run: forward its ports, make `ssh RUN` work, follow its output until it ends; Ctrl-C detaches.")
public final class AttachCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", description = "The run name.")
    String runName;

    @Option(names = "--ssh-identity", paramLabel = "SSH_PRIVATE_KEY", description = "The private SSH key to use instead of the user's.")
    Path identity;

    @Option(names = "--host", paramLabel = "HOST", description = "Local address to bind forwarded ports to (default: localhost).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "MAPPING",
            description = "Port mapping override, LOCAL:REMOTE (e.g. 8081:8080); repeatable.")
    List<String> ports = List.of();

    @Override
    int run(DstackProject project) throws InterruptedException {
        project.getRun(runName); // A missing run is an error at once, not a wait.
        RunConnection.Options options = new RunConnection.Options(host, portOverrides(), identity);
        return new RunAttachment(project, out(), err(), environment(), options, false).follow(runName);
    }

    private Map<Integer, Integer> portOverrides() {
        Map<Integer, Integer> overrides = new LinkedHashMap<>();
        for (String mapping : ports) {
            String[] parts = mapping.split(":", -1);
            try {
                if (parts.length == 1) {
                    int port = Integer.parseInt(parts[0].strip());
                    overrides.put(port, port);
                } else if (parts.length == 2) {
                    int local = parts[0].strip().equals("*") ? 0 : Integer.parseInt(parts[0].strip());
                    overrides.put(Integer.parseInt(parts[1].strip()), local);
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw CliException.usage("invalid port mapping '" + mapping + "' for -p: expected LOCAL:REMOTE, e.g. 8081:8080");
            }
        }
        return overrides;
    }
}
