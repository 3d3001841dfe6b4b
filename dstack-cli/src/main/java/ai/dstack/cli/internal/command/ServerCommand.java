package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackConfig;
import ai.dstack.client.ProjectConfig;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dstack server}: dstack's REST API over an engine in this process, until SIGTERM or Ctrl-C. Registers the
 * server as project {@code main} in {@code ~/.dstack/config.yml} by dstack's rules, so that the other commands find it.
 */
@Command(name = "server", description = "Start the dstack server (REST API and engine) in this process.")
public final class ServerCommand implements Callable<Integer> {
    static final String MAIN_PROJECT = "main";
    private static final int DEFAULT_SSH_PORT = 3022;

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", description = "Address to listen on (env DSTACK_SERVER_HOST, default 127.0.0.1).")
    private String host;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (env DSTACK_SERVER_PORT, default 3000).")
    private Integer port;

    @Option(names = "--token", description = "The admin user's token when it is created (env DSTACK_SERVER_ADMIN_TOKEN).")
    private String token;

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL",
            description = "Log level: TRACE, DEBUG, INFO, WARNING or ERROR (env DSTACK_SERVER_LOG_LEVEL, default INFO).")
    private String logLevel;

    @ArgGroup(exclusive = true)
    private ConfigUpdate configUpdate = new ConfigUpdate();

    static final class ConfigUpdate {
        @Option(names = {"-y", "--yes"}, description = "Always update the main project in ~/.dstack/config.yml.")
        boolean yes;

        @Option(names = {"-n", "--no"}, description = "Never update ~/.dstack/config.yml.")
        boolean no;
    }

    @Override
    public Integer call() {
        CliEnvironment environment = DstackCommand.environment(spec);
        PrintWriter out = spec.commandLine().getOut();
        String listenHost = firstOf(host, environment.get("DSTACK_SERVER_HOST"), "127.0.0.1");
        int listenPort = port != null ? port : parsePort(environment.get("DSTACK_SERVER_PORT"));
        if (listenPort < 0 || listenPort > 65535) {
            throw CliException.usage("invalid port " + listenPort + ": expected 0..65535");
        }
        configureLogging(firstOf(logLevel, environment.get("DSTACK_SERVER_LOG_LEVEL"), "INFO"));
        String serverDir = environment.get("DSTACK_SERVER_DIR");
        Path directory = (serverDir != null ? Path.of(serverDir) : environment.home().resolve(".dstack").resolve("server"))
                .toAbsolutePath();

        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(directory);
        String adminToken = firstOf(token, environment.get("DSTACK_SERVER_ADMIN_TOKEN"), null);
        if (adminToken != null) {
            engine.adminToken(adminToken);
        }
        DstackServer.Builder builder = DstackServer.builder().engine(engine).host(listenHost).port(listenPort);
        configureSsh(builder, environment, directory);
        DstackServer server = start(builder, listenHost, listenPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "dstack-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try {
            String url = firstOf(environment.get("DSTACK_SERVER_URL"), server.url(), null);
            updateClientConfig(environment, out, url, server.engine().adminToken());
            out.println("The admin token is \"" + server.engine().adminToken() + "\"");
            out.println("The server is running at " + url + "/");
            if (server.sshPort() >= 0) {
                out.println("Runs are reached over SSH at " + listenHost + ":" + server.sshPort());
            }
            out.flush();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // An embedder (or a test) running us on a thread asks us to stop: a clean stop, not a failure.
                // The flag is restored only after closing, which an interrupted thread could not finish.
                interrupted = true;
            }
            return ExitStatus.OK;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                server.close();
            } catch (IllegalStateException shuttingDown) {
                // The hook is closing the server already.
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static DstackServer start(DstackServer.Builder builder, String host, int port) {
        DstackServer server;
        try {
            server = builder.build();
        } catch (RuntimeException e) {
            throw CliException.failure("cannot start the engine: " + e.getMessage());
        }
        try {
            return server.start();
        } catch (RuntimeException e) {
            server.close();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BindException) {
                    throw CliException.failure("cannot listen on " + host + ":" + port + ": " + cause.getMessage()
                            + " (is another server running? choose another with --port)");
                }
            }
            throw CliException.failure("cannot start the server on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** dstack's rules (§1.4): write when there is no default, with -y, or when the user agrees; never with -n. */
    private void updateClientConfig(CliEnvironment environment, PrintWriter out, String url, String adminToken) {
        if (configUpdate.no) {
            return;
        }
        DstackConfig config = DstackConfig.load(environment.configFile());
        ProjectConfig wanted = new ProjectConfig(MAIN_PROJECT, url, adminToken, true);
        if (config.defaultProject().filter(wanted::equals).isPresent()) {
            return;
        }
        boolean write = config.defaultProject().isEmpty() || configUpdate.yes
                || (environment.terminal() && Confirmation.ask(environment, out,
                        "Update the main project in ~/.dstack/config.yml?", "-y"));
        if (write) {
            config.withProject(MAIN_PROJECT, url, adminToken, true).save();
            out.println("Configured the main project in " + environment.configFile());
        }
    }

    /**
     * The SSH server into runs: {@code DSTACK_SERVER_SSH_PORT} (default 3022; {@code off} for none) on the server's
     * address, its host key kept in the server directory. A taken default port only turns SSH off; a port set
     * explicitly must be free.
     */
    private static void configureSsh(DstackServer.Builder builder, CliEnvironment environment, Path directory) {
        String value = environment.get("DSTACK_SERVER_SSH_PORT");
        if (value != null && value.strip().equalsIgnoreCase("off")) {
            return;
        }
        int sshPort;
        try {
            sshPort = value == null ? DEFAULT_SSH_PORT : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw CliException.usage("DSTACK_SERVER_SSH_PORT is '" + value + "', not a port number (or off)");
        }
        if (sshPort < 0 || sshPort > 65535) {
            throw CliException.usage("invalid DSTACK_SERVER_SSH_PORT " + sshPort + ": expected 0..65535 or off");
        }
        builder.sshPort(sshPort).sshRequired(value != null).sshHostKey(directory.resolve("ssh").resolve("host_key"))
                .sshHostname(environment.get("DSTACK_SERVER_SSH_HOSTNAME"));
    }

    private static int parsePort(String value) {
        if (value == null) {
            return 3000;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw CliException.usage("DSTACK_SERVER_PORT is '" + value + "', not a port number");
        }
    }

    /** slf4j-simple reads its level once, when the first logger is made: set it before the engine logs. */
    private static void configureLogging(String level) {
        String normalized = level.strip().toUpperCase(Locale.ROOT);
        String simple = switch (normalized) {
            case "TRACE", "DEBUG", "INFO", "ERROR" -> normalized.toLowerCase(Locale.ROOT);
            case "WARNING", "WARN" -> "warn";
            case "CRITICAL" -> "error";
            default -> throw CliException.usage("invalid log level '" + level
                    + "': expected TRACE, DEBUG, INFO, WARNING or ERROR");
        };
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", simple);
        }
    }

    private static String firstOf(String first, String second, String fallback) {
        return first != null ? first : second != null ? second : fallback;
    }
}
