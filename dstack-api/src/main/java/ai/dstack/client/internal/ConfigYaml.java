package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.ProjectConfig;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ~/.dstack/config.yml} in dstack's format: {@code projects: [{default, name, token, url}]}, keys sorted as
 * PyYAML writes them. The legacy {@code repos} key and unknown keys are ignored on read and dropped on write, as
 * dstack does.
 */
public final class ConfigYaml {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // A token of digits only must stay a string when read back.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private ConfigYaml() {}

    public static List<ProjectConfig> read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw invalid(file, "it is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return List.of(); // an empty file
        }
        if (!root.isObject()) {
            throw invalid(file, "expected a mapping with the key 'projects'", null);
        }
        JsonNode projects = root.get("projects");
        if (projects == null || projects.isNull()) {
            return List.of();
        }
        if (!projects.isArray()) {
            throw invalid(file, "'projects' must be a list", null);
        }
        List<ProjectConfig> out = new ArrayList<>();
        for (int i = 0; i < projects.size(); i++) {
            out.add(project(file, i, projects.get(i)));
        }
        return out;
    }

    private static ProjectConfig project(Path file, int index, JsonNode entry) {
        String where = "projects[" + index + "]";
        if (!entry.isObject()) {
            throw invalid(file, where + " must be a mapping with name, url and token", null);
        }
        JsonNode isDefault = entry.get("default");
        if (isDefault != null && !isDefault.isNull() && !isDefault.isBoolean()) {
            throw invalid(file, where + ".default must be true or false, not '" + isDefault.asText() + "'", null);
        }
        return new ProjectConfig(required(file, where, entry, "name"), required(file, where, entry, "url"),
                required(file, where, entry, "token"), isDefault != null && isDefault.asBoolean());
    }

    private static String required(Path file, String where, JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            throw invalid(file, where + "." + field + " is missing", null);
        }
        if (!value.isValueNode() || value.asText().isEmpty()) {
            throw invalid(file, where + "." + field + " must be a non-empty string", null);
        }
        return value.asText();
    }

    public static String write(List<ProjectConfig> projects) {
        ObjectNode root = YAML.createObjectNode();
        ArrayNode list = root.putArray("projects");
        for (ProjectConfig project : projects) {
            // Sorted, as PyYAML's dump writes them.
            list.addObject()
                    .put("default", project.isDefault())
                    .put("name", project.name())
                    .put("token", project.token())
                    .put("url", project.url());
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the client configuration: " + e.getOriginalMessage(), e);
        }
    }

    /** Replaces {@code file} with {@code text} atomically, readable by its owner only (it holds tokens). */
    public static void save(Path file, String text) {
        Path target = file.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".config", ".yml.tmp");
            try {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                }
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new DstackException(ErrorCode.ERROR, "Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static DstackException invalid(Path file, String problem, Throwable cause) {
        return new DstackException(ErrorCode.INVALID_REQUEST, "Invalid dstack client configuration " + file + ": "
                + problem, cause);
    }
}
