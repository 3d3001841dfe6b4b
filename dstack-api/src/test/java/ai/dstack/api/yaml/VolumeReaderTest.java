package ai.dstack.api.yaml;

import static ai.dstack.api.yaml.ConfigurationAssertions.errors;
import static ai.dstack.api.yaml.ConfigurationAssertions.json;
import static ai.dstack.api.yaml.ConfigurationAssertions.locs;
import static ai.dstack.api.yaml.ConfigurationAssertions.parse;
import static ai.dstack.api.yaml.ConfigurationAssertions.parsesOrFailsCleanly;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.KubernetesVolumeConfiguration;
import ai.dstack.api.configuration.RunpodVolumeConfiguration;
import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.configuration.ZonalVolumeConfiguration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VolumeReaderTest {
    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void awsAndGcpVolumesLiveInAZone() {
        ZonalVolumeConfiguration aws = parse("type: volume\nname: data\nbackend: aws\nregion: eu-west-1\nsize: 100GB",
                ZonalVolumeConfiguration.class);
        assertThat(aws.backend()).isEqualTo(BackendType.AWS);
        assertThat(aws.size()).isEqualTo(100.0);
        assertThat(aws.externalVolumeId()).isNull();
        ZonalVolumeConfiguration gcp = parse("type: volume\nbackend: gcp\nregion: us\nvolume_id: disk-1\nsize: 1.5TB",
                ZonalVolumeConfiguration.class);
        assertThat(gcp.size()).isEqualTo(1536.0);
        assertThat(gcp.externalVolumeId()).isEqualTo("disk-1");
        assertThat(fieldNames(json("type: volume\nbackend: aws\nregion: r"))).containsExactlyInAnyOrder("type", "backend",
                "name", "size", "auto_cleanup_duration", "tags", "region", "availability_zone", "volume_id");
    }

    @Test
    void azureVolumesAreManagedDisksInAZone() {
        ZonalVolumeConfiguration azure = parse("type: volume\nname: data\nbackend: azure\nregion: eastus\n"
                + "availability_zone: \"2\"\nsize: 64GB", ZonalVolumeConfiguration.class);
        assertThat(azure.backend()).isEqualTo(BackendType.AZURE);
        assertThat(azure.region()).isEqualTo("eastus");
        assertThat(azure.availabilityZone()).isEqualTo("2");
        assertThat(azure.size()).isEqualTo(64.0);
        assertThat(json("type: volume\nbackend: azure\nregion: eastus\nvolume_id: disk-1").get("volume_id").asText())
                .isEqualTo("disk-1");
        assertThat(locs("type: volume\nbackend: azure\nsize: 1")).contains("azure.region");
    }

    @Test
    void runpodDropsTheAvailabilityZone() {
        RunpodVolumeConfiguration runpod = parse("type: volume\nbackend: runpod\nregion: EU-SE-1\navailability_zone: z\nsize: 512MB",
                RunpodVolumeConfiguration.class);
        assertThat(runpod.size()).isEqualTo(0.5);
        JsonNode json = json("type: volume\nbackend: runpod\nregion: EU-SE-1\navailability_zone: z");
        assertThat(json.get("backend").asText()).isEqualTo("runpod");
        assertThat(json.has("availability_zone")).isFalse();
    }

    @Test
    void kubernetesDefaults() {
        KubernetesVolumeConfiguration k8s = parse("type: volume\nbackend: kubernetes\nclaim_name: 7", KubernetesVolumeConfiguration.class);
        assertThat(k8s.region()).isEmpty();
        assertThat(k8s.accessModes()).containsExactly("ReadWriteOnce");
        assertThat(k8s.readOnly()).isFalse();
        assertThat(k8s.externalVolumeId()).isEqualTo("7");
        assertThat(json("type: volume\nbackend: kubernetes").has("volume_id")).isFalse();
    }

    @Test
    void autoCleanupOffIsMinusOne() {
        VolumeConfiguration volume = parse("type: volume\nbackend: aws\nregion: r\nauto_cleanup_duration: off", VolumeConfiguration.class);
        assertThat(volume.autoCleanupDuration()).isEqualTo(-1);
        assertThat(parse("type: volume\nbackend: aws\nregion: r\nauto_cleanup_duration: 2h", VolumeConfiguration.class)
                .autoCleanupDuration()).isEqualTo(7200);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{region: us-east-1, size: 10GB}                 | volume.backend",
        "{backend: aws, size: 10}                        | aws.region",
        "{backend: aws, region: null}                    | aws.region",
        "{backend: aws, region: r, claim_name: c}        | aws.claim_name",
        "{backend: kubernetes, volume_id: v}             | kubernetes.volume_id",
        "{backend: kubernetes, access_modes: RWO}        | kubernetes.access_modes",
        "{backend: runpod, region: r, availability_zone: [z]} | runpod.availability_zone",
        "{backend: aws, region: r, size: big}            | volume.size",
        "{backend: aws, region: r, tags: {\"a b\": c}}   | volume.tags",
        "{backend: aws, region: r, auto_cleanup_duration: later} | volume.auto_cleanup_duration",
    })
    void malformedVolumesNameTheField(String fields, String loc) {
        assertThat(locs("{type: volume, " + fields.substring(1))).contains(loc);
    }

    @Test
    void anUnknownBackendIsReportedAtTheRootAsDstackDoes() {
        List<ValidationError> errors = errors("type: volume\nbackend: lambda\nregion: r");
        assertThat(errors).extracting(ValidationError::loc).containsExactly("");
        assertThat(errors.get(0).message()).isEqualTo("Input tag 'lambda' found using 'backend' does not match any of the "
                + "expected tags: <BackendType.AWS: 'aws'>, <BackendType.AZURE: 'azure'>, <BackendType.GCP: 'gcp'>, "
                + "<BackendType.RUNPOD: 'runpod'>, <BackendType.KUBERNETES: 'kubernetes'>");
        assertThat(errors("type: volume\nbackend: [aws]\nregion: r").get(0).message()).startsWith("Input tag '['aws']' found");
    }

    @Test
    void commonFieldsAreCheckedBeforeTheBackendOnes() {
        // dstack's first pass ignores unknown fields, so only the size is reported here.
        assertThat(locs("type: volume\nbackend: aws\nregion: r\nfoo: 1\nsize: big")).containsExactly("volume.size");
        assertThat(locs("type: volume\nbackend: aws\nfoo: 1")).containsExactlyInAnyOrder("aws.region", "aws.foo");
    }

    @Test
    void oddValuesAnywhereGiveConfigurationErrorsNeverCrashes() {
        List<String> odd = List.of("null", "[]", "{}", "[null]", "-1", "2.5", "true", "''", "1e400", "99999999999999999999");
        for (String backend : List.of("aws", "gcp", "runpod", "kubernetes")) {
            for (String field : List.of("backend", "name", "size", "auto_cleanup_duration", "tags", "region", "availability_zone",
                    "volume_id", "claim_name", "storage_class_name", "access_modes", "read_only")) {
                for (String value : odd) {
                    parsesOrFailsCleanly("type: volume\nbackend: " + backend + "\nregion: r\n" + field + ": " + value);
                }
            }
        }
    }
}
