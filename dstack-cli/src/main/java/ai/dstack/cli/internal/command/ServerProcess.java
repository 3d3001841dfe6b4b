package ai.dstack.cli.internal.command;

import ai.dstack.api.DstackException;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackConfig;
import ai.dstack.client.ProjectConfig;
import ai.dstack.server.DstackServer;
import ai.dstack.server.InvalidSettingException;
import ai.dstack.server.ObservabilitySettings;
import ai.dstack.server.ServerSettings;
import ai.dstack.server.ServerStartup;
import ai.dstack.server.deploy.ServerDeployment;
import ai.dstack.storage.DatabaseCopy;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code dstack server} does, apart from its options ({@link ServerCommand}): the only CLI code that names the
 * server's classes, so that the client-only jar (which has none of them) can still list and parse the command.
 */
final class ServerProcess {
    private static final int DEFAULT_SSH_PORT = 3022;

    private final CommandSpec spec;
    private final String host;
    private final Integer port;
    private final String token;
    private final String logLevel;
    private final boolean yes;
    private final boolean no;

    ServerProcess(CommandSpec spec, String host, Integer port, String token, String logLevel, boolean yes, boolean no) {
        this.spec = spec;
        this.host = host;
        this.port = port;
        this.token = token;
        this.logLevel = logLevel;
        this.yes = yes;
        this.no = no;
    }

    int run() {
        CliEnvironment environment = DstackCommand.environment(spec);
        PrintWriter out = spec.commandLine().getOut();
        ServerSettings settings;
        try {
            settings = settings(environment).withOverrides(host, port, token, logLevel);
        } catch (InvalidSettingException e) {
            throw CliException.usage(e.getMessage());
        }
        ObservabilitySettings observability;
        try {
            observability = ObservabilitySettings.fromEnvironment(environment::get);
        } catch (InvalidSettingException e) {
            throw CliException.usage(e.getMessage());
        }
        configureLogging(settings.logLevel());
        ServerStartup startup = prepare(settings);
        String listenHost = settings.host();
        int listenPort = settings.port();
        ServerDeployment deployment = deployment(environment, settings);
        DstackServer server;
        try {
            DstackServer.Builder builder = DstackServer.builder()
                    .engine(deployment.configure(startup.engine()).metrics(observability.metrics()))
                    .host(listenHost).port(listenPort).ui(settings.ui())
                    .prometheus(observability.prometheusEnabled(), observability.prometheusToken());
            configureSsh(builder, environment, settings.serverDirectory());
            server = start(builder, listenHost, listenPort, startup);
        } catch (RuntimeException e) {
            deployment.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            deployment.close();
            stopped.countDown();
        }, "dstack-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try {
            String url = firstOf(settings.serverUrl(), server.url(), null);
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
                deployment.close();
            } catch (IllegalStateException shuttingDown) {
                // The hook is closing the server already.
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The settings from the environment; a bad value is one line naming the variable. */
    static ServerSettings settings(CliEnvironment environment) {
        try {
            return ServerSettings.fromEnvironment(environment::get, environment.home());
        } catch (InvalidSettingException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** Reads config.yml; an invalid file stops start-up with its file, line and field. */
    static ServerStartup prepare(ServerSettings settings) {
        try {
            return ServerStartup.prepare(settings);
        } catch (InvalidSettingException e) {
            throw CliException.failure(e.getMessage());
        }
    }

    private static DstackServer start(DstackServer.Builder builder, String host, int port, ServerStartup startup) {
        DstackServer server;
        try {
            server = builder.build();
        } catch (RuntimeException e) {
            throw CliException.failure("cannot start the engine: " + e.getMessage());
        }
        try {
            startup.applyConfig(server.engine());
        } catch (RuntimeException e) {
            server.close();
            throw CliException.failure("cannot apply the server configuration: " + e.getMessage());
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

    /** Log storage, Litestream and the start-up warnings, from dstack's variables; Litestream starts here. */
    private ServerDeployment deployment(CliEnvironment environment, ServerSettings settings) {
        ServerDeployment deployment;
        try {
            deployment = ServerDeployment.fromSettings(settings, environment.env());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        } catch (IllegalStateException e) {
            throw CliException.failure(e.getMessage());
        }
        deployment.warnings().forEach(warning -> spec.commandLine().getErr().println("Warning: " + warning));
        try {
            deployment.beforeStart();
        } catch (IllegalStateException e) {
            deployment.close();
            throw CliException.failure(e.getMessage());
        }
        return deployment;
    }

    /** dstack's rules (§1.4): write when there is no default, with -y, or when the user agrees; never with -n. */
    private void updateClientConfig(CliEnvironment environment, PrintWriter out, String url, String adminToken) {
        if (no) {
            return;
        }
        DstackConfig config = DstackConfig.load(environment.configFile());
        ProjectConfig wanted = new ProjectConfig(ServerCommand.MAIN_PROJECT, url, adminToken, true);
        if (config.defaultProject().filter(wanted::equals).isPresent()) {
            return;
        }
        if (config.defaultProject().isPresent() && !yes && !environment.terminal()) {
            // Nobody to ask: leave the file alone, but say so; the other commands would otherwise get 403s.
            ProjectConfig current = config.defaultProject().get();
            spec.commandLine().getErr().println("Warning: " + environment.configFile() + " was not updated: its default"
                    + " project '" + current.name() + "' (" + current.url() + ") uses another "
                    + (current.url().equals(url) ? "token" : "server") + ", and there is no terminal to ask."
                    + " Other commands will use that project. Restart with -y to update it, or run: dstack project add"
                    + " --name " + ServerCommand.MAIN_PROJECT + " --url " + url + " --token " + adminToken + " -y");
            return;
        }
        boolean write = config.defaultProject().isEmpty() || yes
                || Confirmation.ask(environment, out, "Update the main project in ~/.dstack/config.yml?", "-y");
        if (write) {
            config.withProject(ServerCommand.MAIN_PROJECT, url, adminToken, true).save();
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

    /** slf4j-simple reads its level once, when the first logger is made: set it before the engine logs. */
    private static void configureLogging(String level) {
        String normalized = level.strip().toUpperCase(Locale.ROOT);
        String simple = switch (normalized) {
            case "TRACE", "DEBUG", "INFO", "ERROR" -> normalized.toLowerCase(Locale.ROOT);
            case "WARNING", "WARN" -> "warn";
            case "CRITICAL" -> "error";
            default -> throw CliException.usage("invalid log level '" + level
                    + "': expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL");
        };
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", simple);
        }
    }

    private static String firstOf(String first, String second, String fallback) {
        return first != null ? first : second != null ? second : fallback;
    }

    /** {@code dstack server re-encrypt} ({@link ReEncryptCommand}). */
    static int reEncrypt(CommandSpec spec) {
        CliEnvironment environment = DstackCommand.environment(spec);
        PrintWriter out = spec.commandLine().getOut();
        ServerStartup startup = prepare(settings(environment));
        int count;
        try {
            count = startup.reEncrypt();
        } catch (DstackException e) {
            throw CliException.failure("nothing was re-encrypted: " + e.getMessage());
        }
        out.println("Re-encrypted " + count + " value" + (count == 1 ? "" : "s") + " with key " + startup.currentKey());
        out.flush();
        return ExitStatus.OK;
    }

    /** {@code dstack server migrate-db} ({@link MigrateDbCommand}). */
    static int migrateDb(PrintWriter out, String from, String to, boolean schemaOnly) {
        if (schemaOnly) {
            if (from != null) {
                throw CliException.usage("--schema-only copies nothing: leave out --from");
            }
            DatabaseCopy.migrateSchema(to, line -> print(out, line));
            return ExitStatus.OK;
        }
        if (from == null) {
            throw CliException.usage("missing --from: the SQLite file to copy, e.g. ~/.dstack/server/data/sqlite.db");
        }
        DatabaseCopy.Result result = DatabaseCopy.copy(from, to, line -> print(out, line));
        print(out, "Copied " + result.totalRows() + " rows in " + result.rowsByTable().size() + " tables from "
                + result.from() + " to " + result.to() + "; the row counts of every table match");
        return ExitStatus.OK;
    }

    private static void print(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }
}
