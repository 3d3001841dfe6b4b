package ai.dstack.server;

import ai.dstack.core.DstackEngine;
import ai.dstack.server.internal.Router;
import ai.dstack.server.internal.WebUi;
import ai.dstack.server.internal.ssh.SshGateway;
import io.javalin.Javalin;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dstack's REST API ({@code POST /api/...} with JSON bodies, bearer tokens, dstack's error bodies) over an
 * embedded {@link DstackEngine}, so that dstack's own CLI and clients can talk to it.
 *
 * <pre>{@code
 * try (DstackServer server = DstackServer.builder()
 *         .engine(DstackEngine.builder().serverDirectory(dir))
 *         .port(3000)
 *         .build()
 *         .start()) {
 *     System.out.println("The admin token is " + server.engine().adminToken());
 *     ...
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the server, and the engine too when the server built it.
 */
public final class DstackServer implements AutoCloseable {
    /** The dstack release whose API this server speaks; clients of a newer major version are refused. */
    public static final String DSTACK_API_VERSION = "0.21.2";
    /** The default limit on a request body: 32 MiB. */
    public static final long DEFAULT_MAX_REQUEST_SIZE = 32L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DstackServer.class);

    private final DstackEngine engine;
    private final boolean ownsEngine;
    private final String host;
    private final int port;
    /** The port once started, for the proxy (which must not call the server itself). */
    private volatile int listeningPort = -1;
    private final long maxRequestSize;
    private final String serverVersion;
    private final long codeUploadLimit;
    private final int sshPort;
    private final boolean sshRequired;
    private final String sshHostname;
    private final java.nio.file.Path sshHostKey;
    private final boolean prometheus;
    private final String prometheusToken;
    private final boolean ui;
    private Javalin app;
    private SshGateway ssh;

    private DstackServer(Builder builder, DstackEngine engine, boolean ownsEngine) {
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        this.host = builder.host;
        this.port = builder.port;
        this.maxRequestSize = builder.maxRequestSize;
        this.serverVersion = builder.serverVersion;
        this.codeUploadLimit = builder.codeUploadLimit;
        this.sshPort = builder.sshPort;
        this.sshRequired = builder.sshRequired;
        this.sshHostname = builder.sshHostname;
        this.sshHostKey = builder.sshHostKey;
        this.prometheus = builder.prometheus;
        this.prometheusToken = builder.prometheusToken;
        this.ui = builder.ui;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening; returns this server. */
    public synchronized DstackServer start() {
        if (app != null) {
            throw new IllegalStateException("The server is already started");
        }
        Router router = new Router(engine.app(), maxRequestSize, serverVersion, codeUploadLimit);
        ai.dstack.server.internal.PrometheusEndpoint metrics = prometheus
                ? new ai.dstack.server.internal.PrometheusEndpoint(engine.statistics(), prometheusToken) : null;
        if (metrics != null) {
            router.observe(metrics);
        }
        Javalin created = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = maxRequestSize;
            // Multipart bodies are parsed by Jetty, which counts their bytes against this as they come.
            config.jetty.multipartConfig.maxTotalRequestSize(maxRequestSize, io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxFileSize(maxRequestSize, io.javalin.config.SizeUnit.BYTES);
            config.http.prefer405over404 = true;
            new ai.dstack.server.internal.ServiceProxy(engine.services(), () -> listeningPort).register(config.routes);
            if (metrics != null) {
                metrics.register(config.routes);
            }
            router.register(config.routes);
            if (ui) {
                new WebUi().register(config.routes);
            }
        });
        created.start();
        app = created;
        listeningPort = created.port();
        if (sshPort >= 0) {
            try {
                ssh = SshGateway.start(engine.jobs(), host, sshPort, sshHostKey);
                engine.jobs().publishSshEndpoint(advertisedSshHostname(), ssh.port());
            } catch (RuntimeException e) {
                if (sshRequired) {
                    app.stop();
                    app = null;
                    throw e;
                }
                LOG.warn("Runs cannot be reached over SSH ({}); the server runs without SSH access", e.getMessage());
            }
        }
        LOG.info("The dstack server {} is running at {}", serverVersion == null ? "(no version)" : serverVersion, url());
        return this;
    }

    /** The port the server listens on (the chosen one when built with port 0). */
    public synchronized int port() {
        if (app == null) {
            throw new IllegalStateException("The server is not started");
        }
        return app.port();
    }

    /** The port of the SSH server into jobs, or -1 when it is off. */
    public synchronized int sshPort() {
        return ssh == null ? -1 : ssh.port();
    }

    /** The name clients reach the SSH server by: the one set, else the listening address (this host's name for a wildcard). */
    private String advertisedSshHostname() {
        if (sshHostname != null) {
            return sshHostname;
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "localhost";
            }
        }
        return host;
    }

    /** {@code http://host:port}. */
    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public DstackEngine engine() {
        return engine;
    }

    /** Stops listening. The engine keeps running unless the server built it. */
    public synchronized void stop() {
        if (ssh != null) {
            ssh.close();
            ssh = null;
        }
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    @Override
    public void close() {
        stop();
        if (ownsEngine) {
            engine.close();
        }
    }

    /** Configures a server; {@link #engine} is the only required setting. */
    public static final class Builder {
        private DstackEngine engine;
        private DstackEngine.Builder engineBuilder;
        private String host = "127.0.0.1";
        private int port = 3000;
        private long maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;
        private String serverVersion = DSTACK_API_VERSION;
        private long codeUploadLimit = defaultCodeUploadLimit();
        private int sshPort = -1;
        private boolean sshRequired = true;
        private String sshHostname;
        private java.nio.file.Path sshHostKey;
        private boolean prometheus;
        private String prometheusToken;
        private boolean ui = true;

        private Builder() {}

        /**
         * Whether the web UI is served at {@code /} (default on; {@code DSTACK_SERVER_UI=off} for {@code dstack server}).
         * It calls the same REST API as the CLI with the user's token.
         */
        public Builder ui(boolean on) {
            this.ui = on;
            return this;
        }

        /**
         * The largest code or file-archive upload ({@code repos/upload_code}, {@code files/upload_archive}), in bytes;
         * 0 for no limit. Default: {@code DSTACK_SERVER_CODE_UPLOAD_LIMIT}, else 2 MiB, as in dstack.
         */
        public Builder codeUploadLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("codeUploadLimit must not be negative, not " + bytes);
            }
            this.codeUploadLimit = bytes;
            return this;
        }

        private static long defaultCodeUploadLimit() {
            String value = System.getenv("DSTACK_SERVER_CODE_UPLOAD_LIMIT");
            try {
                return value == null || value.isBlank() ? Router.DEFAULT_UPLOAD_LIMIT : Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("DSTACK_SERVER_CODE_UPLOAD_LIMIT must be a number of bytes, not '"
                        + value + "'");
            }
        }

        /**
         * Runs the SSH server into jobs on this port of the server's host (0: any free port, see
         * {@link DstackServer#sshPort()}); default off. {@code ssh <run>} (after {@code dstack attach}), IDE links and
         * {@code dstack attach}'s port forwarding go through it.
         */
        public Builder sshPort(int port) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("sshPort must be between 0 and 65535 (or -1 for off), not " + port);
            }
            this.sshPort = port;
            return this;
        }

        /**
         * Whether a server whose SSH port cannot be bound fails to start (default) or starts without SSH access,
         * logging why (for a default port that may be taken).
         */
        public Builder sshRequired(boolean required) {
            this.sshRequired = required;
            return this;
        }

        /** The host name clients use for the SSH server; default the listening address. */
        public Builder sshHostname(String hostname) {
            this.sshHostname = hostname;
            return this;
        }

        /** Where the SSH server's host key is kept (made on first start); default a new key per start. */
        public Builder sshHostKey(java.nio.file.Path file) {
            this.sshHostKey = file;
            return this;
        }

        /** Serves an engine the caller owns (and closes). */
        /**
         * Serves {@code GET /metrics} in the Prometheus text format (dstack's {@code DSTACK_ENABLE_PROMETHEUS_METRICS});
         * with a token, scrapers must send it as a bearer token ({@code DSTACK_PROMETHEUS_AUTH_TOKEN}). Off by default.
         */
        public Builder prometheus(boolean enabled, String token) {
            this.prometheus = enabled;
            this.prometheusToken = token;
            return this;
        }

        public Builder engine(DstackEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine is null");
            this.engineBuilder = null;
            return this;
        }

        /** Builds the engine with the server, which closes it on {@link DstackServer#close()}. */
        public Builder engine(DstackEngine.Builder engine) {
            this.engineBuilder = Objects.requireNonNull(engine, "engine is null");
            this.engine = null;
            return this;
        }

        /** The address to listen on; default {@code 127.0.0.1}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host is null");
            return this;
        }

        /** The port; default 3000, 0 for any free port (see {@link DstackServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest request body accepted, in bytes (larger ones get 413); default 32 MiB. */
        public Builder maxRequestSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxRequestSize must be positive, not " + bytes);
            }
            this.maxRequestSize = bytes;
            return this;
        }

        /**
         * The version {@code server/get_info} reports and clients are checked against; default
         * {@link #DSTACK_API_VERSION}; null for a development server, which checks no client.
         */
        public Builder serverVersion(String version) {
            this.serverVersion = version;
            return this;
        }

        public DstackServer build() {
            if (engine == null && engineBuilder == null) {
                throw new IllegalStateException("No engine: call engine(DstackEngine) or engine(DstackEngine.Builder)");
            }
            return engine != null ? new DstackServer(this, engine, false) : new DstackServer(this, engineBuilder.build(), true);
        }
    }
}
