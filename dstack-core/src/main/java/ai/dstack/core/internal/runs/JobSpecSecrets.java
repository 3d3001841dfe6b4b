package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.run.JobSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves {@code ${{ secrets.NAME }}} in a job's env values and registry credentials. dstack stores job specs with
 * the references and resolves them only when the job starts, so a secret changed in between takes effect; the
 * result is for the runner and must not be stored.
 */
public final class JobSpecSecrets {
    /** The prefix dstack puts before an {@link InterpolationException}'s message when it terminates the job. */
    public static final String TERMINATION_MESSAGE_PREFIX = "Secrets interpolation error: ";

    private JobSpecSecrets() {}

    /**
     * @throws InterpolationException naming the missing secrets
     */
    public static JobSpec resolve(JobSpec spec, Map<String, String> secrets) {
        Interpolation interpolation = Interpolation.secrets(secrets);
        Map<String, String> env = new LinkedHashMap<>();
        spec.env().forEach((k, v) -> env.put(k, interpolation.interpolateOrError(v)));
        RegistryAuth auth = registryAuth(spec.registryAuth(), interpolation);
        return new JobSpec(spec.replicaNum(), spec.jobNum(), spec.jobName(), spec.jobsPerReplica(), spec.replicaGroup(),
                spec.appSpecs(), spec.user(), spec.commands(), env, spec.homeDir(), spec.imageName(), spec.privileged(),
                spec.singleBranch(), spec.maxDuration(), spec.stopDuration(), spec.utilizationPolicy(), auth,
                spec.requirements(), spec.retry(), spec.volumes(), spec.sshKey(), spec.workingDir(), spec.repoData(),
                spec.repoCodeHash(), spec.repoDir(), spec.repoExistsAction(), spec.fileArchives(), spec.servicePort(),
                spec.probes(), spec.nodeGroupIndex(), spec.nodeGroupName(), spec.nodeGroupJobIndex());
    }

    /**
     * Whether any value {@link #resolve} looks at has a {@code ${{ }}} reference: a job without one starts without
     * reading the project's secrets.
     */
    public static boolean refersToSecrets(JobSpec spec) {
        if (spec.env().values().stream().anyMatch(JobSpecSecrets::hasReference)) {
            return true;
        }
        RegistryAuth auth = spec.registryAuth();
        return auth != null && (hasReference(auth.username()) || hasReference(auth.password()));
    }

    private static boolean hasReference(String value) {
        return value != null && value.contains("${{");
    }

    /** Registry credentials with their references resolved; null stays null. */
    static RegistryAuth registryAuth(RegistryAuth auth, Interpolation interpolation) {
        if (auth == null) {
            return null;
        }
        return new RegistryAuth(interpolate(auth.username(), interpolation), interpolate(auth.password(), interpolation));
    }

    private static String interpolate(String value, Interpolation interpolation) {
        return value == null ? null : interpolation.interpolateOrError(value);
    }
}
