package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files cannot be built here (no Docker, no AWS), so they are held to the build instead: the Dockerfile
 * copies the jar {@code package} produced and runs a command that serves the health check the load balancer probes;
 * the CloudFormation template is YAML whose references all resolve and whose server gets only dstack's log
 * permissions and dstack's variables. Runs in {@code verify}, after the shaded jar exists.
 */
class DeploymentFilesIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Path repository;
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheBuild() {
        jar = Path.of(System.getProperty("dstack.jar", "target/missing-all.jar")).toAbsolutePath().normalize();
        repository = Path.of(System.getProperty("dstack.launcher", "../bin/dstack")).toAbsolutePath().normalize()
                .getParent().getParent();
        assertThat(jar).as("the shaded jar, built by package").isRegularFile();
    }

    static String dockerfile() throws IOException {
        return Files.readString(repository.resolve("Dockerfile"));
    }

    static String instruction(String dockerfile, String regex) {
        Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(dockerfile);
        assertThat(matcher.find()).as("Dockerfile line matching %s", regex).isTrue();
        return matcher.group(1).strip();
    }

    @Test
    void theDockerfileCopiesTheJarTheBuildProducesAndTheContextLetsItIn() throws IOException {
        String dockerfile = dockerfile();
        Path copied = repository.resolve(instruction(dockerfile, "^ARG DSTACK_JAR=(.+)$"));

        assertThat(copied).as("ARG DSTACK_JAR in the Dockerfile").exists();
        assertThat(Files.isSameFile(copied, jar)).as("%s is the jar package built, %s", copied, jar).isTrue();
        assertThat(instruction(dockerfile, "^COPY (.+)$")).isEqualTo("${DSTACK_JAR} /opt/dstack/dstack.jar");
        assertThat(instruction(dockerfile, "^FROM (.+)$")).isEqualTo("eclipse-temurin:17-jre");

        List<String> ignore = Files.readAllLines(repository.resolve(".dockerignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(ignore).containsExactly("*", "!dstack-cli/target/dstack-cli-*-all.jar");
        assertThat(FileSystems.getDefault().getPathMatcher("glob:" + ignore.get(1).substring(1))
                .matches(repository.relativize(jar))).isTrue();
    }

    @Test
    void theImagesCommandServesTheHealthCheckOnTheExposedPort() throws Exception {
        String dockerfile = dockerfile();
        List<String> entrypoint = new ArrayList<>();
        YAML.readTree(instruction(dockerfile, "^ENTRYPOINT (.+)$")).forEach(part -> entrypoint.add(part.asText()));
        assertThat(entrypoint.subList(0, 2)).containsExactly("/usr/bin/tini", "--");
        assertThat(instruction(dockerfile, "^EXPOSE (.+)$")).isEqualTo("3000");
        assertThat(dockerfile).contains("DSTACK_SERVER_HOST=0.0.0.0", "DSTACK_SERVER_PORT=3000");

        // The image's command without tini, on the jar it copies; loopback and a free port instead of 0.0.0.0:3000.
        List<String> command = new ArrayList<>(entrypoint.subList(2, entrypoint.size()));
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.set(command.indexOf("/opt/dstack/dstack.jar"), jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("DSTACK_") || name.startsWith("LITESTREAM_"));
        builder.environment().putAll(Map.of("HOME", dir.toString(), "DSTACK_SERVER_HOST", "127.0.0.1",
                "DSTACK_SERVER_PORT", "0", "DSTACK_SERVER_LOCAL_FLEET", "false"));
        Process server = builder.start();
        try {
            Pattern running = Pattern.compile("The server is running at (http://127\\.0\\.0\\.1:\\d+)/");
            await().atMost(Duration.ofSeconds(90)).until(() -> running.matcher(log()).find() || !server.isAlive());
            Matcher url = running.matcher(log());
            assertThat(url.find()).as(log()).isTrue();

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url.group(1) + healthCheckPath())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(dir.resolve(".dstack/server/data/sqlite.db")).as("state under $HOME/.dstack/server").exists();
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    }

    static JsonNode template() throws IOException {
        return YAML.readTree(repository.resolve("deploy/aws/cloudformation.yml").toFile());
    }

    static String healthCheckPath() throws IOException {
        return template().at("/Resources/TargetGroup/Properties/HealthCheckPath").asText();
    }

    @Test
    void theTemplateIsAPrivateDeploymentWhoseReferencesAllResolve() throws IOException {
        JsonNode template = template();
        JsonNode resources = template.path("Resources");
        Map<String, String> types = new java.util.TreeMap<>();
        resources.fields().forEachRemaining(entry -> types.put(entry.getKey(), entry.getValue().path("Type").asText()));

        assertThat(template.path("AWSTemplateFormatVersion").asText()).isEqualTo("2010-09-09");
        assertThat(types.values()).contains("AWS::RDS::DBInstance", "AWS::Logs::LogGroup", "AWS::IAM::Role",
                "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ECS::Service", "AWS::ECS::TaskDefinition");
        assertThat(resources.at("/LoadBalancer/Properties/Scheme").asText()).isEqualTo("internal");
        assertThat(resources.at("/Database/Properties/Engine").asText()).isEqualTo("postgres");
        assertThat(resources.at("/Database/Properties/PubliclyAccessible").asBoolean(true)).isFalse();
        assertThat(resources.at("/Service/Properties/NetworkConfiguration/AwsvpcConfiguration/AssignPublicIp").asText())
                .isEqualTo("DISABLED");
        assertThat(resources.at("/TargetGroup/Properties/Port").asInt())
                .isEqualTo(resources.at("/TaskDefinition/Properties/ContainerDefinitions/0/PortMappings/0/ContainerPort").asInt())
                .isEqualTo(3000);

        Set<String> known = new HashSet<>();
        template.path("Parameters").fieldNames().forEachRemaining(known::add);
        template.path("Conditions").fieldNames().forEachRemaining(known::add);
        known.addAll(types.keySet());
        known.addAll(List.of("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName", "AWS::NoValue"));
        assertThat(references(template)).as("Ref, GetAtt, Fn::Sub and Fn::If names").isNotEmpty().isSubsetOf(known);
    }

    @Test
    void theServerRoleHoldsOnlyDstacksLogPermissionsAndGetsDstacksVariables() throws IOException {
        JsonNode resources = template().path("Resources");
        List<String> actions = new ArrayList<>();
        for (JsonNode policy : resources.at("/TaskRole/Properties/Policies")) {
            if (policy.path("PolicyName").asText().equals("dstack-aws-backend")) {
                continue; // the aws backend's EC2 calls: checked against the fake EC2 in dstack-backend-aws
            }
            for (JsonNode statement : policy.at("/PolicyDocument/Statement")) {
                statement.path("Action").forEach(action -> actions.add(action.asText()));
            }
        }
        assertThat(resources.at("/TaskRole/Properties/ManagedPolicyArns").isMissingNode()).isTrue();
        assertThat(actions).containsExactlyInAnyOrder(
                "logs:DescribeLogStreams", "logs:CreateLogStream", "logs:GetLogEvents", "logs:PutLogEvents");

        JsonNode container = resources.at("/TaskDefinition/Properties/ContainerDefinitions/0");
        List<String> variables = new ArrayList<>();
        container.path("Environment").forEach(entry -> variables.add(entry.has("Fn::If")
                ? entry.at("/Fn::If/1/Name").asText() : entry.path("Name").asText()));
        assertThat(variables).contains("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", "DSTACK_SERVER_CLOUDWATCH_LOG_REGION",
                "DSTACK_SERVER_HOST", "DSTACK_SERVER_PORT", "DSTACK_SERVER_ADMIN_TOKEN");
        assertThat(container.at("/Command/0").asText())
                .contains("DSTACK_DATABASE_URL=\"postgresql://dstack:${DSTACK_DB_PASSWORD}@${DSTACK_DB_HOST}:5432/dstack\"")
                .contains("-jar /opt/dstack/dstack.jar server");
        assertThat(container.at("/Secrets/0/Name").asText()).isEqualTo("DSTACK_DB_PASSWORD");
    }

    /** Every name the template refers to: {@code Ref}, {@code Fn::GetAtt}, {@code ${Name}} in {@code Fn::Sub}, conditions. */
    static Set<String> references(JsonNode node) {
        Set<String> names = new HashSet<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                switch (field.getKey()) {
                    case "Ref" -> names.add(value.asText());
                    case "Fn::GetAtt" -> names.add(value.get(0).asText());
                    case "Fn::If", "Condition" -> names.add(value.isArray() ? value.get(0).asText() : value.asText());
                    case "Fn::Sub" -> {
                        Matcher variable = Pattern.compile("\\$\\{([^}!.]+)[^}]*}").matcher(value.asText());
                        while (variable.find()) {
                            names.add(variable.group(1));
                        }
                    }
                    default -> { }
                }
                names.addAll(references(value));
            }
        } else if (node.isArray()) {
            StreamSupport.stream(node.spliterator(), false).forEach(child -> names.addAll(references(child)));
        }
        return names;
    }
}
