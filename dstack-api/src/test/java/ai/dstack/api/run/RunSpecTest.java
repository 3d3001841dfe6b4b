package ai.dstack.api.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.configuration.Profile;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import ai.dstack.api.repo.RunRepoData;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunSpecTest {
    private static final JsonNode SAMPLE = WireSamples.tree("run").get("run_spec");

    @Test
    void aSpecBuiltInCodeIsWrittenExactlyAsDstackWritesIt() {
        RunSpec spec = RunSpec.newBuilder()
                .runName("train")
                .repo("none", RunRepoData.virtual())
                .fileArchives(List.of(new FileArchiveMapping(UUID.fromString("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
                        "/data/archive")))
                .configurationPath("train.dstack.yml")
                .profile(Profile.defaultProfile())
                .sshKeyPub("ssh-rsa AAAA user@host")
                .build();

        assertThat(WireSamples.written(spec)).isEqualTo(SAMPLE);
    }

    @Test
    void anEmptySpecWritesEveryFieldWithItsDefault() throws Exception {
        String json = DstackJson.mapper().writeValueAsString(RunSpec.newBuilder().build());

        assertThat(json).isEqualTo("{\"run_name\":null,\"repo_id\":null,\"repo_data\":null,\"repo_code_hash\":null,"
                + "\"repo_dir\":null,\"file_archives\":[],\"working_dir\":null,\"configuration_path\":null,"
                + "\"configuration\":null,\"profile\":null,\"ssh_key_pub\":null}");
    }

    @Test
    void toBuilderCopiesEveryField() throws Exception {
        RunSpec read = DstackJson.mapper().treeToValue(SAMPLE, RunSpec.class);

        assertThat(read.toBuilder().build()).isEqualTo(read);
        assertThat(read.toBuilder().runName("other").build().runName()).isEqualTo("other");
    }

    @Test
    void aJsonNullProfileReadsAsJavaNull() throws Exception {
        RunSpec read = DstackJson.mapper().readValue("{\"configuration\":null,\"profile\":null}", RunSpec.class);

        assertThat(read.profile()).isNull();
        assertThat(read.fileArchives()).isEmpty();
    }

    @Test
    void everyKindOfRepoDataRoundTripsWithItsDiscriminator() throws Exception {
        for (RunRepoData data : List.of(RunRepoData.virtual(), new RunRepoData.Local("/home/me/repo"),
                new RunRepoData.Remote("dstack", "master", "abc123", "Me", "me@example.com"))) {
            JsonNode json = WireSamples.written(data);

            assertThat(json.get("repo_type").asText()).isEqualTo(data.repoType());
            assertThat(DstackJson.mapper().treeToValue(json, RunRepoData.class)).isEqualTo(data);
        }
    }

    @Test
    void anUnknownRepoTypeIsRejectedByName() {
        assertThatThrownBy(() -> DstackJson.mapper().readValue("{\"repo_type\":\"svn\"}", RunRepoData.class))
                .isInstanceOf(JsonMappingException.class)
                .hasMessageContaining("svn");
    }

    @Test
    void specsAreImmutable() {
        RunSpec spec = RunSpec.newBuilder().fileArchives(new java.util.ArrayList<>()).build();

        assertThatThrownBy(() -> spec.fileArchives().add(new FileArchiveMapping(UUID.randomUUID(), "/x")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
