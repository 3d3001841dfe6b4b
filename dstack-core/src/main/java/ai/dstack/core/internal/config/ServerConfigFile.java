package ai.dstack.core.internal.config;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.ValidationError;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.YamlLoader;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.core.internal.crypto.AesKey;
import ai.dstack.core.internal.crypto.EncryptionKey;
import ai.dstack.core.internal.crypto.IdentityKey;
import ai.dstack.core.internal.context.DefaultPermissions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code $DSTACK_SERVER_DIR/config.yml}: read with dstack's schema ({@code projects}, {@code encryption},
 * {@code default_permissions}, {@code plugins}), every error naming the file, line and field; written with a
 * commented default when absent.
 */
public final class ServerConfigFile {
    public static final String FILE_NAME = "config.yml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private ServerConfigFile() {}

    public static Path path(Path serverDirectory) {
        return serverDirectory.resolve(FILE_NAME);
    }

    /**
     * The file's configuration, or empty when there is no file.
     *
     * @throws ConfigurationException listing every problem as {@code file:line:column: field: message}
     */
    public static Optional<ServerConfig> load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        return Optional.of(parse(text, file.toString(), file.toAbsolutePath().getParent()));
    }

    /** @param baseDirectory where relative {@code creds.filename} paths start */
    public static ServerConfig parse(String text, String source, Path baseDirectory) {
        YamlLoader.Loaded loaded = YamlLoader.load(text, source);
        if (loaded.error() != null) {
            throw new ConfigurationException(List.of(loaded.error()));
        }
        ReadContext ctx = new ReadContext(source);
        List<String> warnings = new ArrayList<>();
        MappingReader root = MappingReader.of(ctx, loaded.value(), "");
        if (root == null) {
            throw new ConfigurationException(ctx.errors());
        }
        List<ServerConfig.Project> projects = projects(ctx, root, warnings, baseDirectory);
        List<EncryptionKey> keys = encryption(ctx, root);
        DefaultPermissions permissions = permissions(ctx, root);
        List<String> plugins = root.opt("plugins", Coerce.listOf(Coerce::string));
        if (plugins != null && !plugins.isEmpty()) {
            warnings.add("Enabled plugins not found: " + String.join(", ", plugins) + " (this server has no plugins)");
        }
        root.finish();
        if (!ctx.errors().isEmpty()) {
            throw new ConfigurationException(ctx.errors());
        }
        return new ServerConfig(projects, keys, permissions, warnings);
    }

    private static List<ServerConfig.Project> projects(ReadContext ctx, MappingReader root, List<String> warnings, Path baseDirectory) {
        YamlValue raw = root.raw("projects");
        List<ServerConfig.Project> projects = new ArrayList<>();
        if (raw == null) {
            ctx.error("projects", root.value(), "Field required");
            return projects;
        }
        if (!(raw instanceof YamlValue.Sequence sequence)) {
            ctx.error("projects", raw, "Input should be a valid list");
            return projects;
        }
        for (int i = 0; i < sequence.items().size(); i++) {
            MappingReader project = MappingReader.of(ctx, sequence.items().get(i), ReadContext.child("projects", i));
            if (project == null) {
                continue;
            }
            String name = project.req("name", Coerce::string);
            List<BackendConfig> backends = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            YamlValue list = project.raw("backends");
            if (list instanceof YamlValue.Sequence items) {
                for (int j = 0; j < items.items().size(); j++) {
                    YamlValue item = items.items().get(j);
                    String loc = ReadContext.child(project.loc("backends"), j);
                    String type = typeOf(item);
                    if (type != null && BackendSchemas.NOT_MODELLED.contains(type)) {
                        skipped.add(type);
                        warnings.add("Backend " + type + " not available and won't be configured (project " + name
                                + ", " + loc + ")");
                        continue;
                    }
                    BackendConfig backend = BackendConfigReader.read(ctx, item, loc, true, baseDirectory);
                    if (backend != null) {
                        backends.add(backend);
                    }
                }
            } else if (list != null && !list.isNullScalar()) {
                ctx.error(project.loc("backends"), list, "Input should be a valid list");
            }
            project.finish();
            if (name != null) {
                projects.add(new ServerConfig.Project(name, backends, skipped));
            }
        }
        return projects;
    }

    private static String typeOf(YamlValue item) {
        return item instanceof YamlValue.Mapping map && map.entries().get("type") instanceof YamlValue.Scalar s
                && s.value() instanceof String type ? type : null;
    }

    private static List<EncryptionKey> encryption(ReadContext ctx, MappingReader root) {
        List<EncryptionKey> keys = new ArrayList<>();
        YamlValue raw = root.raw("encryption");
        if (raw == null || raw.isNullScalar()) {
            return keys;
        }
        MappingReader encryption = MappingReader.of(ctx, raw, "encryption");
        if (encryption == null) {
            return keys;
        }
        YamlValue list = encryption.raw("keys");
        if (list == null) {
            ctx.error("encryption.keys", raw, "Field required");
        } else if (!(list instanceof YamlValue.Sequence items)) {
            ctx.error("encryption.keys", list, "Input should be a valid list");
        } else {
            for (int i = 0; i < items.items().size(); i++) {
                EncryptionKey key = key(ctx, items.items().get(i), ReadContext.child("encryption.keys", i));
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        encryption.finish();
        return keys;
    }

    private static EncryptionKey key(ReadContext ctx, YamlValue value, String loc) {
        MappingReader key = MappingReader.of(ctx, value, loc);
        if (key == null) {
            return null;
        }
        String type = key.req("type", Coerce::string);
        EncryptionKey result = null;
        if (IdentityKey.TYPE.equals(type)) {
            result = new IdentityKey();
        } else if (AesKey.TYPE.equals(type)) {
            String name = key.req("name", Coerce::string);
            String secret = key.req("secret", Coerce::string);
            if (name != null && secret != null) {
                try {
                    result = AesKey.of(name, secret);
                } catch (IllegalArgumentException e) {
                    boolean aboutName = e.getMessage().startsWith("Key name");
                    String field = aboutName ? "name" : "secret";
                    // Never echo the secret itself.
                    ctx.valueError(key.loc(field), key.value().entries().get(field), e.getMessage());
                }
            }
        } else if (type != null) {
            ctx.error(key.loc("type"), key.value().entries().get("type"), "Input tag '" + type
                    + "' found using 'type' does not match any of the expected tags: 'aes', 'identity'");
        }
        key.finish();
        return result;
    }

    private static DefaultPermissions permissions(ReadContext ctx, MappingReader root) {
        YamlValue raw = root.raw("default_permissions");
        if (raw == null || raw.isNullScalar()) {
            return null;
        }
        MappingReader obj = MappingReader.of(ctx, raw, "default_permissions");
        if (obj == null) {
            return null;
        }
        DefaultPermissions defaults = DefaultPermissions.DSTACK;
        Boolean createProjects = obj.get("allow_non_admins_create_projects", Coerce::bool,
                defaults.allowNonAdminsCreateProjects());
        Boolean sshFleets = obj.get("allow_non_admins_manage_ssh_fleets", Coerce::bool,
                defaults.allowNonAdminsManageSshFleets());
        Boolean secrets = obj.get("allow_managers_manage_secrets", Coerce::bool, defaults.allowManagersManageSecrets());
        obj.finish();
        if (createProjects == null || sshFleets == null || secrets == null) {
            return null;
        }
        return new DefaultPermissions(createProjects, sshFleets, secrets);
    }

    /**
     * Writes the default file: project {@code main} with its current backends (credentials included, as dstack
     * writes them), no keys, and the other settings as comments.
     */
    public static void writeDefault(Path file, List<BackendConfig> mainBackends) {
        ObjectNode root = YAML.createObjectNode();
        ObjectNode main = root.putArray("projects").addObject().put("name", "main");
        ArrayNode backends = main.putArray("backends");
        mainBackends.forEach(b -> backends.add(b.withCreds()));
        root.putObject("encryption").putArray("keys");
        String body;
        try {
            body = YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = """
                # The dstack server's configuration: read and applied on every start.
                # Reference: https://dstack.ai/docs/reference/server/config.yml/
                #
                # projects: each listed project is created if missing and gets exactly the backends listed
                # (backends of that project not listed here are deleted). Example:
                #   - type: aws
                #     creds:
                #       type: access_key
                #       access_key: AKIA...
                #       secret_key: ...
                #
                # encryption.keys: the first key encrypts credentials, tokens and secrets in the database; every key
                # is tried to decrypt. Example (a secret is base64 of 32 random bytes: openssl rand -base64 32):
                #   - type: aes
                #     name: key1
                #     secret: <base64>
                """ + body + """
                # default_permissions:
                #   allow_non_admins_create_projects: true
                #   allow_non_admins_manage_ssh_fleets: true
                #   allow_managers_manage_secrets: false
                """;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file) && java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                // the encryption keys and backend credentials: the server's eyes only
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
            ServerDirectory.ownerOnly(file);
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts {@code backends} as project {@code project}'s list in the file (adding the project when it is not listed),
     * keeping the rest of its settings, as dstack does when backends change over the API: config.yml is applied at
     * every start, so a backend missing from it would be deleted then. Comments are not kept (dstack's rewrite drops
     * them too). Written atomically, readable by the server's user only (credentials).
     */
    public static synchronized void saveProjectBackends(Path file, String project, List<BackendConfig> backends) {
        try {
            ObjectNode root = Files.exists(file) && YAML.readTree(file.toFile()) instanceof ObjectNode read
                    ? read : YAML.createObjectNode();
            ArrayNode projects = root.get("projects") instanceof ArrayNode list ? list : root.putArray("projects");
            ObjectNode entry = null;
            for (var node : projects) {
                if (node instanceof ObjectNode candidate && project.equals(candidate.path("name").asText(null))) {
                    entry = candidate;
                }
            }
            if (entry == null) {
                entry = projects.addObject().put("name", project);
            }
            ArrayNode list = entry.putArray("backends");
            backends.forEach(b -> list.add(b.withCreds()));
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".config", ".yml.tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, YAML.writeValueAsString(root), StandardCharsets.UTF_8);
                Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot update " + file + " with the backends of project "
                    + project + ": " + e.getMessage(), e);
        }
    }

    /** One line per problem, as {@code file:line:column: field: message}. */
    public static String describe(ConfigurationException e) {
        return String.join("\n", e.errors().stream().map(ValidationError::toString).toList());
    }
}
