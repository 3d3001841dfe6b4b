package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.RegistryAuth;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.Requirements;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterpolationTest {
    private final Interpolation secrets = Interpolation.secrets(Map.of("HF_TOKEN", "hf_123", "USER", "me"));

    @Test
    void referencesAreReplacedWithSpacesOrWithout() {
        assertThat(secrets.interpolateOrError("token=${{ secrets.HF_TOKEN }} user=${{secrets.USER}}"))
                .isEqualTo("token=hf_123 user=me");
    }

    @Test
    void aMissingSecretIsNamedInDstacksWords() {
        assertThatThrownBy(() -> secrets.interpolateOrError("${{ secrets.A }}-${{ secrets.HF_TOKEN }}-${{ secrets.B }}"))
                .isInstanceOf(InterpolationException.class)
                .hasMessage("Failed to interpolate due to missing vars: ['secrets.A', 'secrets.B']")
                .extracting(e -> ((InterpolationException) e).code()).isEqualTo(ErrorCode.ERROR);
    }

    @Test
    void doubleDollarEscapesAReference() {
        assertThat(secrets.interpolateOrError("echo $${{ secrets.HF_TOKEN }} costs $$5"))
                .isEqualTo("echo ${{ secrets.HF_TOKEN }} costs $5");
        assertThat(secrets.interpolateOrError("plain $HOME and ${PATH}")).isEqualTo("plain $HOME and ${PATH}");
    }

    @Test
    void malformedReferencesAreRejected() {
        assertThatThrownBy(() -> secrets.interpolateOrError("${{ secrets }}"))
                .hasMessage("Illegal reference name: secrets");
        assertThatThrownBy(() -> secrets.interpolateOrError("${{ secrets.a.b }}"))
                .hasMessage("Illegal reference name: secrets.a.b");
        assertThatThrownBy(() -> secrets.interpolateOrError("x ${{ secrets.HF_TOKEN"))
                .hasMessage("No pattern closing: ${{ secrets.HF_TOKEN");
    }

    @Test
    void skippedNamespacesAreLeftForALaterPass() {
        Interpolation env = new Interpolation(Map.of("env", Map.of("A", "1")), Set.of("secrets"));

        assertThat(env.interpolateOrError("${{ env.A }}:${{ secrets.X }}")).isEqualTo("1:${{ secrets.X }}");
    }

    @Test
    void aJobSpecGetsItsEnvAndRegistryCredentialsResolved() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TOKEN", "${{ secrets.HF_TOKEN }}");
        env.put("PLAIN", "value");
        JobSpec spec = jobSpec(env, new RegistryAuth("${{ secrets.USER }}", "${{ secrets.HF_TOKEN }}"));

        JobSpec resolved = JobSpecSecrets.resolve(spec, Map.of("HF_TOKEN", "hf_123", "USER", "me"));

        assertThat(resolved.env()).containsExactly(Map.entry("TOKEN", "hf_123"), Map.entry("PLAIN", "value"));
        assertThat(resolved.registryAuth()).isEqualTo(new RegistryAuth("me", "hf_123"));
        assertThat(resolved.commands()).isEqualTo(spec.commands());
        assertThatThrownBy(() -> JobSpecSecrets.resolve(spec, Map.of()))
                .hasMessage("Failed to interpolate due to missing vars: ['secrets.HF_TOKEN']");
    }

    private static JobSpec jobSpec(Map<String, String> env, RegistryAuth auth) {
        return new JobSpec(0, 0, "run-0-0", 1, "0", List.of(), null, List.of("/bin/sh", "-i", "-c", "env"), env, "/root",
                "alpine", false, true, null, 300, null, auth, new Requirements(ResourcesSpec.DEFAULT, null, false, null,
                        false, null), null, List.of(), null, null, null, null, "/workflow", null, List.of(), null, List.of(),
                0, "0", 0);
    }
}
