package ai.dstack.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local jobs this JVM's engines started, found and killed when a bench ends however it ends. A job's supervisor
 * is detached from the engine's job spawner (its parent is init), so it is not a descendant of this JVM: it is found
 * by name ({@code dstack-job-supervisor <job id>}) with its job directory under the jobs root of a spawner this JVM
 * started ({@code dstack-job-spawner <root>}). Other servers' jobs on the host have other roots and are left alone.
 */
final class JobProcesses {
    private static final Set<Path> ROOTS = ConcurrentHashMap.newKeySet();

    private JobProcesses() {}

    /** Notes the jobs roots of the spawners running under this JVM now (call while jobs run). */
    static void rememberRoots() {
        ProcessHandle.current().descendants().forEach(process -> arguments(process)
                .filter(args -> args.size() == 2 && args.get(0).equals("dstack-job-spawner"))
                .ifPresent(args -> ROOTS.add(Path.of(args.get(1)))));
    }

    /** Kills this JVM's job processes (supervisors, their jobs, the spawner); prints how many were left. */
    static void killAll() {
        rememberRoots();
        List<ProcessHandle> supervisors = ProcessHandle.allProcesses().filter(JobProcesses::isOurSupervisor).toList();
        List<ProcessHandle> descendants = ProcessHandle.current().descendants().toList();
        int killed = 0;
        for (ProcessHandle supervisor : supervisors) {
            for (ProcessHandle job : supervisor.descendants().toList()) {
                killed += job.destroyForcibly() ? 1 : 0;
            }
            killed += supervisor.destroyForcibly() ? 1 : 0;
        }
        for (ProcessHandle process : descendants) {
            killed += process.destroyForcibly() ? 1 : 0;
        }
        if (killed > 0) {
            System.out.printf("clean-up: %d leftover job processes killed (%d jobs)%n", killed, supervisors.size());
        }
    }

    private static boolean isOurSupervisor(ProcessHandle process) {
        return arguments(process).filter(args -> args.size() == 2 && args.get(0).equals("dstack-job-supervisor"))
                .map(args -> ROOTS.stream().anyMatch(root -> Files.isDirectory(root.resolve(args.get(1)))))
                .orElse(false);
    }

    /** The process's name and arguments as it shows them (perl's {@code $0} is one string: split on spaces). */
    private static Optional<List<String>> arguments(ProcessHandle process) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"))
                    .replace('\0', ' ').trim();
            return line.isEmpty() ? Optional.empty() : Optional.of(List.of(line.split(" +")));
        } catch (Exception gone) {
            return Optional.empty();
        }
    }
}
