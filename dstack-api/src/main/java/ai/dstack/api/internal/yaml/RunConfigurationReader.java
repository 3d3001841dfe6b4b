package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.MappingReader;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.ValueParser;
import ai.dstack.api.yaml.reading.PythonText;

import ai.dstack.api.configuration.Env;
import ai.dstack.api.configuration.FilePathMapping;
import ai.dstack.api.configuration.InstanceMountPoint;
import ai.dstack.api.configuration.MountPoint;
import ai.dstack.api.configuration.NodeGroup;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.PythonVersion;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.configuration.RepoExistsAction;
import ai.dstack.api.configuration.RepoSpec;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the fields shared by tasks, services and dev environments, and tasks themselves. */
public final class RunConfigurationReader {
    private static final Pattern ENV_ITEM = Pattern.compile("^([a-zA-Z_][a-zA-Z0-9_]*)(=.*$|$)", Pattern.DOTALL);
    private static final Pattern PORT = Pattern.compile("^(?:(\\d+|\\*):)?(\\d+)?$");
    private static final Pattern GROUP_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,39}$");
    private static final ValueParser<Integer> VALID_PORT = Coerce.bounded(Coerce::integer, null, 0.0, 65535.0);

    public static final ValueParser<List<String>> COMMANDS = Coerce.listOf(Coerce::string);
    public static final ValueParser<List<PortMapping>> PORTS = Coerce.listOf(RunConfigurationReader::port);

    private RunConfigurationReader() {}

    /** The base fields, in dstack's order (later validators look at earlier fields, as dstack's do). */
    public static RunBase base(MappingReader o) {
        ReadContext ctx = o.ctx();
        String name = o.opt("name", Coerce::string);
        String image = o.opt("image", Coerce::string);
        String user = o.opt("user", RunConfigurationReader::user);
        Boolean privileged = o.get("privileged", Coerce::bool, false);
        String entrypoint = o.opt("entrypoint", Coerce::string);
        String workingDir = o.opt("working_dir", Coerce::string);
        String homeDir = o.get("home_dir", Coerce::string, RunBase.DEFAULT_HOME_DIR);
        RegistryAuth registryAuth = o.opt("registry_auth", RunConfigurationReader::registryAuth);
        PythonVersion python = pythonUnlessImage(o, image);
        Boolean nvcc = o.opt("nvcc", Coerce::bool);
        Boolean singleBranch = o.opt("single_branch", Coerce::bool);
        Env env = o.get("env", RunConfigurationReader::env, Env.EMPTY);
        String shell = o.opt("shell", RunConfigurationReader::shell);
        ResourcesSpec resources = o.get("resources", ResourcesReader::resources, ResourcesSpec.DEFAULT);
        Integer priority = o.opt("priority", Coerce.bounded(Coerce::integer, 0.0, null, 100.0));
        List<MountPoint> volumes = o.get("volumes", Coerce.listOf(RunConfigurationReader::mountPoint), List.of());
        Boolean docker = o.opt("docker", (c, v, l) -> docker(c, v, l, image, python, nvcc));
        List<RepoSpec> repos = o.get("repos", RunConfigurationReader::repos, List.of());
        List<FilePathMapping> files = o.get("files", Coerce.listOf(RunConfigurationReader::file), List.of());
        Boolean dstack = o.get("dstack", Coerce::bool, false);
        List<String> setup = o.get("setup", COMMANDS, List.of());
        return new RunBase(name, image, user, Boolean.TRUE.equals(privileged), entrypoint, workingDir, homeDir,
                registryAuth, python, nvcc, singleBranch, env, shell, resources, priority, volumes, docker, repos, files,
                Boolean.TRUE.equals(dstack), setup);
    }

    private static PythonVersion pythonUnlessImage(MappingReader o, String image) {
        if (o.has("python") && !o.raw("python").isNullScalar() && image != null && !image.isEmpty()) {
            o.ctx().valueError(o.loc("python"), o.raw("python"), "`image` and `python` are mutually exclusive fields");
            return null;
        }
        return o.opt("python", RunConfigurationReader::python);
    }

    public static TaskConfiguration task(MappingReader o) {
        ReadContext ctx = o.ctx();
        int mark = ctx.mark();
        o.accept("type");
        if (o.has("groups") && !o.raw("groups").isNullScalar() && o.has("nodes") && !o.raw("nodes").isNullScalar()) {
            ctx.valueError(o.loc(), o.value(), "`nodes` and `groups` are mutually exclusive");
        }
        RunBase base = base(o);
        ProfileParams profile = ProfileReader.profile(o);
        List<String> commands = o.get("commands", COMMANDS, List.of());
        List<PortMapping> ports = o.get("ports", PORTS, List.of());
        Integer nodes = o.opt("nodes", Coerce.bounded(Coerce::integer, 1.0, null, null));
        List<NodeGroup> groups = o.opt("groups", RunConfigurationReader::nodeGroups);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        TaskConfiguration task = new TaskConfiguration(base, profile, commands, ports, nodes, groups);
        if (groups != null) {
            String problem = null;
            if (!commands.isEmpty()) {
                problem = "Top-level `commands` is not allowed when `groups` is set. Specify `commands` in each node group instead.";
            } else if (!ports.isEmpty()) {
                problem = "Top-level `ports` is not allowed when `groups` is set. Specify `ports` in each node group instead.";
            } else if (base.entrypoint() != null) {
                problem = "Top-level `entrypoint` is not allowed when `groups` is set. Specify `commands` in each node group instead.";
            } else {
                for (NodeGroup group : groups) {
                    if (group.commands().isEmpty() && base.image() == null) {
                        problem = "Node group '" + group.name() + "': either `commands` must be set in the group, or `image` at the task level.";
                        break;
                    }
                }
            }
            if (problem != null) {
                ctx.valueError(o.loc(), o.value(), problem);
                return null;
            }
        } else if (!requireCommandsOrImage(o, commands, base)) {
            return null;
        }
        return task;
    }

    /** dstack's rule for tasks and services without groups: something must run. */
    public static boolean requireCommandsOrImage(MappingReader o, List<String> commands, RunBase base) {
        if (commands.isEmpty() && (base.image() == null || base.image().isEmpty())) {
            o.ctx().valueError(o.loc(), o.value(), "Either `commands` or `image` must be set");
            return false;
        }
        return true;
    }

    static List<NodeGroup> nodeGroups(ReadContext ctx, YamlValue value, String loc) {
        List<NodeGroup> groups = Coerce.listOf(RunConfigurationReader::nodeGroup).parse(ctx, value, loc);
        if (groups == null) {
            return null;
        }
        if (groups.isEmpty()) {
            ctx.valueError(loc, value, "`groups` cannot be an empty list");
            return null;
        }
        List<NodeGroup> named = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            NodeGroup g = groups.get(i);
            NodeGroup n = g.name() != null ? g : new NodeGroup(Integer.toString(i), g.nodes(), g.resources(), g.commands(), g.ports());
            if (!seen.add(n.name()) && !duplicates.contains(n.name())) {
                duplicates.add(n.name());
            }
            named.add(n);
        }
        if (!duplicates.isEmpty()) {
            ctx.valueError(loc, value, "Duplicate node group names found: " + pythonList(duplicates)
                    + ". Each node group must have a unique name.");
            return null;
        }
        return named;
    }

    static String pythonList(List<String> items) {
        List<String> quoted = new ArrayList<>();
        items.forEach(i -> quoted.add(PythonText.repr(i)));
        return "[" + String.join(", ", quoted) + "]";
    }

    static NodeGroup nodeGroup(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String name = o.opt("name", Coerce::string);
        if (name != null && !GROUP_NAME.matcher(name).matches()) {
            ctx.valueError(o.loc("name"), o.raw("name"), "Node group name should match regex '^[a-z0-9][a-z0-9-]{0,39}$'");
        }
        Integer nodes = o.get("nodes", Coerce.bounded(Coerce::integer, 1.0, null, null), 1);
        ResourcesSpec resources = o.get("resources", ResourcesReader::resources, ResourcesSpec.DEFAULT);
        List<String> commands = o.get("commands", COMMANDS, List.of());
        List<PortMapping> ports = o.get("ports", PORTS, List.of());
        o.finish();
        return ctx.cleanSince(mark) ? new NodeGroup(name, nodes, resources, commands, ports) : null;
    }

    static String user(ReadContext ctx, YamlValue value, String loc) {
        String user = Coerce.string(ctx, value, loc);
        if (user == null) {
            return null;
        }
        String[] parts = user.split(":", -1);
        String problem = null;
        if (parts.length > 2) {
            problem = "too many parts";
        } else if (parts[0].isEmpty()) {
            problem = "empty user name or id";
        } else if (parts[0].matches("-\\d+")) {
            problem = "negative uid " + parts[0];
        } else if (parts.length == 2 && parts[1].isEmpty()) {
            problem = "empty group name or id";
        } else if (parts.length == 2 && parts[1].matches("-\\d+")) {
            problem = "negative gid " + parts[1];
        }
        if (problem != null) {
            ctx.valueError(loc, value, "invalid user format: " + problem);
            return null;
        }
        return user;
    }

    static RegistryAuth registryAuth(ReadContext ctx, YamlValue value, String loc) {
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String username = o.req("username", Coerce::string);
        String password = o.req("password", Coerce::string);
        o.finish();
        return ctx.cleanSince(mark) ? new RegistryAuth(username, password) : null;
    }

    /** {@code 3.12}, or the float {@code 3.10} that YAML reads as {@code 3.1}. */
    static PythonVersion python(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        String text = null;
        if (v instanceof Double d) {
            text = PythonText.floatRepr(d);
            text = text.equals("3.1") ? "3.10" : text;
        } else if (v instanceof String s) {
            text = s;
        }
        PythonVersion version = text == null ? null : PythonVersion.fromWireValue(text);
        if (version == null) {
            if (text != null) {
                ctx.valueError(loc, value, PythonText.repr(text) + " is not a valid PythonVersion");
            } else {
                ctx.error(loc, value, "Input should be " + Coerce.expected(PythonVersion.wireValues()));
            }
        }
        return version;
    }

    static Boolean docker(ReadContext ctx, YamlValue value, String loc, String image, PythonVersion python, Boolean nvcc) {
        if (Boolean.TRUE.equals(Coerce.scalar(value))) {
            String other = image != null && !image.isEmpty() ? "image" : python != null ? "python" : Boolean.TRUE.equals(nvcc) ? "nvcc" : null;
            if (other != null) {
                ctx.valueError(loc, value, "`" + other + "` and `docker` are mutually exclusive fields");
                return null;
            }
        }
        return Coerce.bool(ctx, value, loc);
    }

    static String shell(ReadContext ctx, YamlValue value, String loc) {
        String shell = Coerce.string(ctx, value, loc);
        if (shell == null || shell.equals("sh") || shell.equals("bash") || shell.startsWith("/")) {
            return shell;
        }
        ctx.valueError(loc, value, "The value must be `sh`, `bash`, or an absolute path");
        return null;
    }

    /** {@code env} as a list ({@code A=1}, or {@code HF_TOKEN} to pass through) or as a mapping. */
    public static Env env(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Sequence seq) {
            Map<String, String> vars = new LinkedHashMap<>();
            int mark = ctx.mark();
            for (int i = 0; i < seq.items().size(); i++) {
                YamlValue item = seq.items().get(i);
                String itemLoc = ReadContext.child(loc, i);
                String text = Coerce.string(ctx, item, itemLoc);
                if (text != null && !ENV_ITEM.matcher(text).find()) {
                    ctx.error(itemLoc, item, "String should match pattern '^([a-zA-Z_][a-zA-Z0-9_]*)(=.*$|$)'");
                }
                if (text == null || !ctx.cleanSince(mark)) {
                    continue;
                }
                int eq = text.indexOf('=');
                String key = eq < 0 ? text : text.substring(0, eq);
                if (vars.containsKey(key)) {
                    ctx.valueError(loc, value, "Duplicate environment variable: " + text);
                    return null;
                }
                vars.put(key, eq < 0 ? null : text.substring(eq + 1));
            }
            return ctx.cleanSince(mark) ? new Env(vars) : null;
        }
        if (value instanceof YamlValue.Mapping map) {
            Map<String, String> vars = new LinkedHashMap<>();
            int mark = ctx.mark();
            map.entries().forEach((key, v) -> {
                if (v instanceof YamlValue.Mapping sentinel && sentinel.entries().size() == 1
                        && Coerce.scalar(sentinel.entries().get("key")) instanceof String k) {
                    vars.put(key, null); // the wire form of a pass-through variable
                    return;
                }
                vars.put(key, Coerce.string(ctx, v, ReadContext.child(loc, key)));
            });
            return ctx.cleanSince(mark) ? new Env(vars) : null;
        }
        ctx.error(loc, value, "Input should be a valid list or a valid dictionary of environment variables");
        return null;
    }

    /** A port: {@code 8080}, {@code "80:8080"}, {@code "*:8080"}, or {@code {local_port, container_port}}. */
    public static PortMapping port(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof Long || v instanceof Boolean) {
            Integer port = VALID_PORT.parse(ctx, value, ReadContext.child(loc, "local_port"));
            Integer again = VALID_PORT.parse(ctx, value, ReadContext.child(loc, "container_port"));
            return port == null || again == null ? null : new PortMapping(port, port);
        }
        if (v instanceof String s) {
            Matcher m = PORT.matcher(s);
            if (!m.find()) {
                ctx.valueError(loc, value, s);
                return null;
            }
            String local = m.group(1);
            String container = m.group(2);
            if (container == null) {
                ctx.error(ReadContext.child(loc, "container_port"), value, "Input should be a valid integer");
                return null;
            }
            int mark = ctx.mark();
            Integer containerPort = VALID_PORT.parse(ctx, ResourcesReader.derived(value, container), ReadContext.child(loc, "container_port"));
            Integer localPort = null;
            if (local == null) {
                localPort = containerPort;
            } else if (!local.equals("*")) {
                localPort = VALID_PORT.parse(ctx, ResourcesReader.derived(value, local), ReadContext.child(loc, "local_port"));
            }
            return ctx.cleanSince(mark) ? new PortMapping(localPort, containerPort) : null;
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        Integer local = o.opt("local_port", VALID_PORT);
        Integer container = o.req("container_port", VALID_PORT);
        o.finish();
        return ctx.cleanSince(mark) ? new PortMapping(local, container) : null;
    }

    /** {@code name:/path} (a volume), {@code /host:/path} (an instance path), or the object forms. */
    public static MountPoint mountPoint(ReadContext ctx, YamlValue value, String loc) {
        if (Coerce.scalar(value) instanceof String s) {
            String[] parts = s.split(":", -1);
            if (parts.length != 2) {
                ctx.valueError(loc, value, "invalid mount point format: " + s);
                return null;
            }
            int mark = ctx.mark();
            String path = mountPath(ctx, value, ReadContext.child(loc, "path"), parts[1]);
            if (parts[0].contains("/")) {
                String instancePath = mountPath(ctx, value, ReadContext.child(loc, "instance_path"), parts[0]);
                return ctx.cleanSince(mark) ? new InstanceMountPoint(instancePath, path, false) : null;
            }
            return ctx.cleanSince(mark) ? VolumeMountPoint(parts[0], path) : null;
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        MountPoint result;
        if (o.has("instance_path")) {
            String instancePath = o.req("instance_path", (c, v, l) -> mountPath(c, v, l, Coerce.string(c, v, l)));
            String path = o.req("path", (c, v, l) -> mountPath(c, v, l, Coerce.string(c, v, l)));
            Boolean optional = o.get("optional", Coerce::bool, false);
            result = ctx.cleanSince(mark) ? new InstanceMountPoint(instancePath, path, optional) : null;
        } else {
            YamlValue rawName = o.value().entries().get("name");
            List<String> names = o.req("name", (c, v, l) -> v instanceof YamlValue.Sequence
                    ? ProfileReader.STRINGS.parse(c, v, l)
                    : single(Coerce.string(c, v, l)));
            String path = o.req("path", (c, v, l) -> mountPath(c, v, l, Coerce.string(c, v, l)));
            result = ctx.cleanSince(mark)
                    ? new ai.dstack.api.configuration.VolumeMountPoint(names, path, rawName instanceof YamlValue.Sequence)
                    : null;
        }
        o.finish();
        return ctx.cleanSince(mark) ? result : null;
    }

    private static MountPoint VolumeMountPoint(String name, String path) {
        return ai.dstack.api.configuration.VolumeMountPoint.of(name, path);
    }

    private static List<String> single(String s) {
        return s == null ? null : List.of(s);
    }

    /** An absolute container path without {@code ..}, normalised as Python's PurePosixPath does. */
    static String mountPath(ReadContext ctx, YamlValue value, String loc, String path) {
        if (path == null) {
            return null;
        }
        if (path.isEmpty()) {
            ctx.valueError(loc, value, "empty path");
            return null;
        }
        if (!path.startsWith("/")) {
            ctx.valueError(loc, value, "path must be absolute: " + path);
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                ctx.valueError(loc, value, ".. are not allowed: " + path);
                return null;
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        String root = path.startsWith("//") && !path.startsWith("///") ? "//" : "/";
        return root + String.join("/", parts);
    }

    static List<RepoSpec> repos(ReadContext ctx, YamlValue value, String loc) {
        List<RepoSpec> repos = Coerce.listOf(RunConfigurationReader::repo).parse(ctx, value, loc);
        if (repos != null && repos.size() > 1) {
            ctx.valueError(loc, value, "A maximum of one repo is currently supported");
            return null;
        }
        return repos;
    }

    static RepoSpec repo(ReadContext ctx, YamlValue value, String loc) {
        if (Coerce.scalar(value) instanceof String s) {
            return repoShorthand(ctx, value, loc, s);
        }
        MappingReader o = MappingReader.of(ctx, value, loc);
        if (o == null) {
            return null;
        }
        int mark = ctx.mark();
        String localPath = o.opt("local_path", Coerce::string);
        String url = o.opt("url", Coerce::string);
        String branch = o.opt("branch", Coerce::string);
        String hash = o.opt("hash", Coerce::string);
        String path = o.get("path", RunConfigurationReader::repoPath, ".");
        RepoExistsAction ifExists = o.get("if_exists",
                Coerce.oneOf(RepoExistsAction.wireValues(), RepoExistsAction::fromWireValue), RepoExistsAction.ERROR);
        o.finish();
        if (!ctx.cleanSince(mark)) {
            return null;
        }
        return checkedRepo(ctx, value, loc, new RepoSpec(localPath, url, branch, hash, path, ifExists));
    }

    private static RepoSpec repoShorthand(ReadContext ctx, YamlValue value, String loc, String s) {
        List<String> parts = new ArrayList<>(List.of(s.split(":", -1)));
        boolean isUrl = false;
        if (parts.size() > 1) {
            String first = parts.get(0);
            String second = parts.get(1);
            boolean windowsDrive = first.length() == 1 && Character.isLetter(first.charAt(0)) && first.charAt(0) < 128
                    && (second.startsWith("\\") || second.startsWith("/"));
            if (first.contains("@") || second.startsWith("//")) {
                isUrl = true;
            }
            if (isUrl || windowsDrive) {
                parts.set(0, first + ":" + second);
                parts.remove(1);
            }
        }
        if (parts.size() > 2) {
            ctx.valueError(loc, value, "Invalid repo: " + s);
            return null;
        }
        String path = parts.size() == 2 ? repoPath(ctx, value, ReadContext.child(loc, "path"), parts.get(1)) : ".";
        if (path == null) {
            return null;
        }
        RepoSpec spec = isUrl
                ? new RepoSpec(null, parts.get(0), null, null, path, RepoExistsAction.ERROR)
                : new RepoSpec(parts.get(0), null, null, null, path, RepoExistsAction.ERROR);
        return checkedRepo(ctx, value, loc, spec);
    }

    private static RepoSpec checkedRepo(ReadContext ctx, YamlValue value, String loc, RepoSpec spec) {
        boolean hasLocal = spec.localPath() != null && !spec.localPath().isEmpty();
        boolean hasUrl = spec.url() != null && !spec.url().isEmpty();
        if (hasLocal && hasUrl) {
            ctx.valueError(loc, value, "`local_path` and `url` are mutually exclusive");
            return null;
        }
        if (!hasLocal && !hasUrl) {
            ctx.valueError(loc, value, "Either `local_path` or `url` must be specified");
            return null;
        }
        return spec;
    }

    private static String repoPath(ReadContext ctx, YamlValue value, String loc) {
        return repoPath(ctx, value, loc, Coerce.string(ctx, value, loc));
    }

    private static String repoPath(ReadContext ctx, YamlValue value, String loc, String path) {
        if (path != null && path.startsWith("~") && !(path.equals("~") || path.startsWith("~/"))) {
            ctx.valueError(loc, value, "`~username` syntax is not supported");
            return null;
        }
        return path;
    }

    static FilePathMapping file(ReadContext ctx, YamlValue value, String loc) {
        String localPath;
        String path;
        if (Coerce.scalar(value) instanceof String s) {
            List<String> parts = new ArrayList<>(List.of(s.split(":", -1)));
            if (parts.size() > 1 && parts.get(0).length() == 1 && Character.isLetter(parts.get(0).charAt(0))
                    && (parts.get(1).startsWith("\\") || parts.get(1).startsWith("/"))) {
                parts.set(0, parts.get(0) + ":" + parts.remove(1));
            }
            if (parts.size() > 2) {
                ctx.valueError(loc, value, "invalid file path mapping: " + s);
                return null;
            }
            localPath = parts.get(0);
            path = parts.size() == 1 ? parts.get(0) : parts.get(1);
        } else {
            MappingReader o = MappingReader.of(ctx, value, loc);
            if (o == null) {
                return null;
            }
            int mark = ctx.mark();
            localPath = o.req("local_path", Coerce::string);
            path = o.req("path", Coerce::string);
            o.finish();
            if (!ctx.cleanSince(mark)) {
                return null;
            }
        }
        if (path.matches("^[A-Za-z]:[\\\\/].*") || path.startsWith("\\\\") || path.startsWith("//")) {
            ctx.valueError(ReadContext.child(loc, "path"), value, "path must be a Unix file path: " + path);
            return null;
        }
        return new FilePathMapping(localPath, path);
    }
}
