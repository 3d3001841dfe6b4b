package ai.dstack.core.internal.operations;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.JsonTrees;
import ai.dstack.api.yaml.reading.YamlLoader;
import ai.dstack.api.project.BackendInfo;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.core.internal.config.BackendConfig;
import ai.dstack.core.internal.config.BackendConfigReader;
import ai.dstack.core.internal.config.ServerConfig;
import ai.dstack.core.internal.cloud.CloudBackends;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.crypto.Encryption;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dstack's backends service: a project's backend configurations, validated with dstack's schema and stored with
 * the credentials encrypted (by the state store). Where this server has the backend type (a provider of the Backend SPI),
 * the credentials are checked against the cloud before they are stored, as dstack does; other types are checked for
 * shape only.
 */
public final class BackendConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(BackendConfigs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final EngineContext context;
    private final CloudBackends cloud;

    public BackendConfigs(EngineContext context, CloudBackends cloud) {
        this.context = context;
        this.cloud = cloud;
    }

    /** The types this server can configure ({@code backends/list_types}). */
    public List<String> types() {
        return BackendConfigReader.types();
    }

    /** Validates a backend configuration given as JSON (an API body). */
    public BackendConfig parseJson(JsonNode body) {
        return parse(JsonTrees.toYamlValue(body), "request body");
    }

    /** Validates a backend configuration given as YAML ({@code create_yaml}, {@code update_yaml}). */
    public BackendConfig parseYaml(String yaml) {
        YamlLoader.Loaded loaded = YamlLoader.load(yaml == null ? "" : yaml, "config_yaml");
        if (loaded.error() != null) {
            throw new ConfigurationException(List.of(loaded.error()));
        }
        return parse(loaded.value(), "config_yaml");
    }

    private static BackendConfig parse(ai.dstack.api.yaml.reading.YamlValue value, String source) {
        ReadContext ctx = new ReadContext(source);
        BackendConfig config = BackendConfigReader.read(ctx, value, "", false, null);
        if (config == null) {
            throw new ConfigurationException(ctx.errors());
        }
        return config;
    }

    /** Told of the project whose backends a create, update or delete changed (the server keeps config.yml so). */
    private volatile java.util.function.Consumer<ProjectRow> changed = project -> {};

    public void onChange(java.util.function.Consumer<ProjectRow> listener) {
        this.changed = java.util.Objects.requireNonNull(listener, "listener is null");
    }

    /** dstack's {@code create_backend}: refused when the project has this type already. */
    public BackendConfig create(ProjectRow project, BackendConfig config) {
        cloud.check(project.name(), config); // bad credentials: a clear error, and nothing is stored
        context.store.useTransaction(tx -> {
            if (tx.backends().find(project.id(), config.type()).isPresent()) {
                throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Backend " + config.type() + " already exists");
            }
            tx.backends().insert(row(UUID.randomUUID(), project, config));
        });
        changed.accept(project);
        return config;
    }

    /** dstack's {@code update_backend}: refused when the project has no backend of this type. */
    public BackendConfig update(ProjectRow project, BackendConfig config) {
        cloud.check(project.name(), config);
        context.store.useTransaction(tx -> {
            BackendRow existing = tx.backends().find(project.id(), config.type()).orElseThrow(BackendConfigs::notFound);
            tx.backends().update(row(existing.id(), project, config));
        });
        changed.accept(project);
        return config;
    }

    /** dstack's {@code delete_backends}: all or none. */
    public void delete(ProjectRow project, List<String> types) {
        context.store.useTransaction(tx -> {
            for (String type : types) {
                if (tx.backends().find(project.id(), type).isEmpty()) {
                    throw notFound();
                }
            }
            types.forEach(type -> tx.backends().delete(project.id(), type));
        });
        changed.accept(project);
    }

    /** The stored configuration with credentials ({@code config_info}); not found when absent or undecryptable. */
    public BackendConfig get(ProjectRow project, String type) {
        return context.store.inReadOnlyTransaction(tx -> tx.backends().find(project.id(), type))
                .flatMap(BackendConfigs::config).orElseThrow(BackendConfigs::notFound);
    }

    /** {@code get_yaml}: the configuration with credentials as YAML. */
    public String yaml(BackendConfig config) {
        try {
            return YAML.writeValueAsString(config.withCreds());
        } catch (JsonProcessingException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot write backend " + config.type() + " as YAML", e);
        }
    }

    /** The project's backends without credentials, as {@code projects/get} shows them. */
    public List<BackendInfo> infos(StoreTransaction tx, ProjectRow project) {
        List<BackendInfo> infos = new ArrayList<>();
        for (BackendRow row : tx.backends().list(project.id())) {
            infos.add(new BackendInfo(row.type(), readJson(row.config())));
        }
        return infos;
    }

    /** Every backend of a project that decrypts, with credentials. */
    public List<BackendConfig> list(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> tx.backends().list(project.id())).stream()
                .map(BackendConfigs::config).flatMap(Optional::stream).toList();
    }

    /**
     * dstack's {@code apply_config} for the {@code projects} of config.yml: missing projects are created (owned by
     * {@code owner}); each listed backend is created or updated unless it is unchanged; backends of a listed
     * project that the file does not list are deleted. Failures are logged and the rest goes on, as in dstack.
     */
    public void apply(List<ServerConfig.Project> projects, UserRow owner) {
        for (ServerConfig.Project entry : projects) {
            ProjectRow project;
            try {
                project = ensureProject(entry.name(), owner);
            } catch (RuntimeException e) {
                LOG.warn("Failed to create project {}: {}", entry.name(), e.getMessage());
                continue;
            }
            List<String> keep = new ArrayList<>(entry.skippedTypes());
            for (BackendConfig wanted : entry.backends()) {
                keep.add(wanted.type());
                Optional<BackendRow> existing = context.store.inReadOnlyTransaction(tx -> tx.backends().find(project.id(),
                        wanted.type()));
                Optional<BackendConfig> current = existing.flatMap(BackendConfigs::config);
                if (current.isPresent() && current.get().equals(wanted)) {
                    continue;
                }
                String action = existing.isPresent() ? "update" : "create";
                try {
                    if (existing.isPresent()) {
                        update(project, wanted);
                    } else {
                        create(project, wanted);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Failed to {} backend {} in project {}: {}", action, wanted.type(), project.name(),
                            e.getMessage());
                }
            }
            for (BackendRow row : context.store.inReadOnlyTransaction(tx -> tx.backends().list(project.id()))) {
                if (!keep.contains(row.type())) {
                    LOG.warn("Backend {} of project {} is not in config.yml: it will be deleted but instances may be "
                            + "left hanging", row.type(), project.name());
                    context.store.useTransaction(tx -> tx.backends().delete(project.id(), row.type()));
                }
            }
        }
    }

    private ProjectRow ensureProject(String name, UserRow owner) {
        Optional<ProjectRow> found = context.store.inReadOnlyTransaction(tx -> tx.projects().findByName(name))
                .filter(p -> !p.deleted());
        if (found.isPresent()) {
            return found.get();
        }
        if (!Projects.PROJECT_NAME.matcher(name).matches()) {
            throw new DstackException(ErrorCode.ERROR, "Project name should match regex '"
                    + Projects.PROJECT_NAME.pattern() + "'");
        }
        JobSshKey key = JobSshKeys.generate();
        ProjectRow project = new ProjectRow(UUID.randomUUID(), name, owner.id(), context.clock.instant(), false, false, null,
                key.publicKey(), key.privateKey());
        context.store.useTransaction(tx -> {
            tx.projects().insert(project);
            tx.projects().addMember(new MemberRow(UUID.randomUUID(), project.id(), owner.id(),
                    ProjectRole.ADMIN.wireValue(), 0));
        });
        return project;
    }

    private static BackendRow row(UUID id, ProjectRow project, BackendConfig config) {
        String json = config.config().toString();
        String creds = config.creds().toString();
        return new BackendRow(id, project.id(), config.type(), json, creds, json, creds);
    }

    /** The row's configuration, or empty (with dstack's warning) when its credentials do not decrypt. */
    private static Optional<BackendConfig> config(BackendRow row) {
        String auth = row.sourceAuth() != null ? row.sourceAuth() : row.auth();
        if (auth.startsWith(Encryption.PREFIX)) {
            LOG.warn("Failed to decrypt creds for {} backend. Backend will be ignored.", row.type());
            return Optional.empty();
        }
        JsonNode config = readJson(row.sourceConfig() != null ? row.sourceConfig() : row.config());
        JsonNode creds = readJson(auth);
        if (!(config instanceof ObjectNode c) || !(creds instanceof ObjectNode a)) {
            LOG.warn("Backend {} has a stored configuration this server cannot read. Backend will be ignored.",
                    row.type());
            return Optional.empty();
        }
        return Optional.of(new BackendConfig(row.type(), c, a));
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return JSON.nullNode();
        }
    }

    private static DstackException notFound() {
        return new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
    }
}
