package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.backend.aws.testing.FakeEc2Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/aws/cloudformation.yml}'s task role lets the deployed server run jobs with an {@code aws} backend on
 * {@code creds: {type: default}}: it grants exactly the EC2 actions the backend calls (those the fake EC2 answers; any
 * other call fails there with InvalidAction) and CreateTags, which tagging on creation needs; and of Service Quotas
 * only GetServiceQuota, the one call the backend makes there.
 */
class DeployedTaskRoleTest {
    @Test
    void theTaskRoleGrantsExactlyTheEc2CallsOfTheAwsBackend() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(
                Path.of("..", "deploy", "aws", "cloudformation.yml").toFile());
        List<String> ec2 = new ArrayList<>();
        List<String> serviceQuotas = new ArrayList<>();
        for (JsonNode policy : template.at("/Resources/TaskRole/Properties/Policies")) {
            for (JsonNode statement : policy.at("/PolicyDocument/Statement")) {
                statement.path("Action").forEach(a -> {
                    if (a.asText().startsWith("ec2:")) {
                        ec2.add(a.asText().substring(4));
                    } else if (a.asText().startsWith("servicequotas:")) {
                        serviceQuotas.add(a.asText().substring("servicequotas:".length()));
                    }
                });
            }
        }
        List<String> expected = new ArrayList<>(FakeEc2Account.ACTIONS);
        expected.add("CreateTags");
        assertThat(ec2).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(serviceQuotas).containsExactly("GetServiceQuota");
    }
}
