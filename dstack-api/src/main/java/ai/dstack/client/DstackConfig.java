package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.internal.ConfigYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * dstack's client configuration, {@code ~/.dstack/config.yml}: the projects the CLI and clients know, each with a
 * server URL and a token, one of them the default. Read and written in dstack's own format, so dstack's Python CLI
 * and this project share the file:
 * <pre>{@code
 * projects:
 * - default: true
 *   name: main
 *   token: bbae0f28-d3dd-4820-bf61-8f4bb40815da
 *   url: http://127.0.0.1:3000
 * }</pre>
 *
 * <p>Instances are immutable: {@link #withProject} and {@link #withoutProject} return changed copies, and
 * {@link #save()} writes one back to the file it came from.
 * <pre>{@code
 * DstackConfig.load().withProject("main", "http://127.0.0.1:3000", token, true).save();
 * }</pre>
 */
public final class DstackConfig {
    private final Path file;
    private final List<ProjectConfig> projects;

    private DstackConfig(Path file, List<ProjectConfig> projects) {
        this.file = Objects.requireNonNull(file, "file is null");
        this.projects = List.copyOf(projects);
    }

    /** The home directory as dstack finds it: {@code $HOME} when set (Python's {@code Path.home()}), else the JVM's. */
    public static String homeDirectory() {
        String home = System.getenv("HOME");
        return home != null && !home.isBlank() ? home : System.getProperty("user.home");
    }

    /** {@code ~/.dstack/config.yml} in the user's home directory, as dstack has it (whatever {@code DSTACK_SERVER_DIR} says). */
    public static Path defaultFile() {
        return Path.of(homeDirectory(), ".dstack", "config.yml");
    }

    /** The configuration in {@link #defaultFile()}; see {@link #load(Path)}. */
    public static DstackConfig load() {
        return load(defaultFile());
    }

    /**
     * The configuration in {@code file}; an empty one if the file does not exist (yet), as dstack does.
     *
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming the file, and the line or entry, when
     *     it is not valid YAML or misses a field
     */
    public static DstackConfig load(Path file) {
        if (!Files.exists(file)) {
            return new DstackConfig(file, List.of());
        }
        return new DstackConfig(file, ConfigYaml.read(file));
    }

    /** An empty configuration that {@link #save()} writes to {@code file}. */
    public static DstackConfig empty(Path file) {
        return new DstackConfig(file, List.of());
    }

    /** The file this configuration was read from and is saved to. */
    public Path file() {
        return file;
    }

    /** The configured projects, in file order. */
    public List<ProjectConfig> projects() {
        return projects;
    }

    /** The first project marked default, as dstack picks it. */
    public Optional<ProjectConfig> defaultProject() {
        return projects.stream().filter(ProjectConfig::isDefault).findFirst();
    }

    /** The first project with this name. */
    public Optional<ProjectConfig> project(String name) {
        return projects.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Adds a project or updates the one of that name, as {@code dstack project add} does: making it the default
     * clears the flag everywhere else; updating keeps an existing default flag; the only project is always default.
     */
    public DstackConfig withProject(String name, String url, String token, boolean makeDefault) {
        List<ProjectConfig> next = new ArrayList<>();
        boolean updated = false;
        for (ProjectConfig project : projects) {
            boolean isDefault = !makeDefault && project.isDefault();
            if (project.name().equals(name) && !updated) {
                next.add(new ProjectConfig(name, url, token, makeDefault || project.isDefault()));
                updated = true;
            } else {
                next.add(project.withDefault(isDefault));
            }
        }
        if (!updated) {
            next.add(new ProjectConfig(name, url, token, makeDefault));
            if (next.size() == 1) {
                next.set(0, next.get(0).withDefault(true));
            }
        }
        return new DstackConfig(file, next);
    }

    /** Removes every project of that name. */
    public DstackConfig withoutProject(String name) {
        return new DstackConfig(file, projects.stream().filter(p -> !p.name().equals(name)).toList());
    }

    /** The file's text as dstack writes it: keys sorted, {@code projects: []} when there are none. */
    public String toYaml() {
        return ConfigYaml.write(projects);
    }

    /**
     * Writes the configuration to {@link #file()}, creating its directory. The file is replaced atomically and left
     * readable by its owner only, since it holds tokens.
     *
     * @throws DstackException naming the file when it cannot be written
     */
    public void save() {
        ConfigYaml.save(file, toYaml());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DstackConfig that && file.equals(that.file) && projects.equals(that.projects);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, projects);
    }

    @Override
    public String toString() {
        return "DstackConfig[" + file + ", " + projects + "]";
    }
}
