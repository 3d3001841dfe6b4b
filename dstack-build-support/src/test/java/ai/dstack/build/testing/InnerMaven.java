package ai.dstack.build.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs real Maven builds of the small projects under {@code src/it} of the module whose tests use it (its failsafe
 * configuration sets {@code it.work}, {@code it.projects} and {@code outer.repo}), as a user would, with the Maven that runs this
 * build. They resolve the just-built ai.dstack artifacts from a repository under {@code target/} (filled by
 * maven-invoker-plugin's {@code install} goal) and everything else from the outer build's repository as a
 * file:// remote, offline (tests talk only to loopback): every plugin the inner builds use is one the outer build
 * already used, at the same version. Nothing is written to ~/.m2.
 */
public final class InnerMaven {
    private final Path work;
    private final Path settings;

    public InnerMaven() {
        this.work = Path.of(require("it.work"));
        try {
            Files.createDirectories(work);
            this.settings = Files.writeString(work.resolve("settings.xml"), settingsXml(Path.of(require("outer.repo"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh copy of {@code src/it/<name>} with each {@code @X@} replaced by system property {@code it.filter.X}. */
    public Path project(String name) throws IOException {
        return copy(Path.of(require("it.projects")).resolve(name), name);
    }

    /** A fresh copy of {@code source} (filtered like {@link #project}) under the work directory as {@code name}. */
    public Path copy(Path source, String name) throws IOException {
        Path copy = work.resolve(name);
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                old.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, filtered(Files.readString(file)));
                }
            }
        }
        return copy;
    }

    private static String filtered(String text) {
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("it.filter.")) {
                text = text.replace("@" + key.substring("it.filter.".length()) + "@", System.getProperty(key));
            }
        }
        return text;
    }

    /** {@code mvn ARGS} in {@code project}; the build's whole output. */
    public Result run(Path project, String... args) throws IOException, InterruptedException {
        Path mvn = Path.of(require("maven.home"), "bin", "mvn");
        // -o with file:// allowed: the outer repository is read, the network never.
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp", "-o",
                "-Daether.offline.protocols=file", "-s", settings.toString(),
                "-Dmaven.repo.local=" + require("it.repo")));
        command.addAll(List.of(args));
        Path log = project.resolve("build.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // A short build: the JIT's first tier starts Maven faster than full optimisation would pay back.
        builder.environment().put("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -Xss1m");
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("mvn " + String.join(" ", args) + " did not finish in 5 minutes:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    public record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + output;
        }
    }

    private static String settingsXml(Path outerRepository) {
        String releasesOnly = "<releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>";
        String repositories = "<id>outer</id><url>" + outerRepository.toUri() + "</url>" + releasesOnly;
        return "<settings><profiles><profile><id>outer-repository</id>"
                + "<repositories><repository>" + repositories + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + repositories + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles><activeProfiles><activeProfile>outer-repository</activeProfile></activeProfiles>"
                + "</settings>\n";
    }

    private static String require(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set: run this through `mvn verify`");
        }
        return value;
    }
}
