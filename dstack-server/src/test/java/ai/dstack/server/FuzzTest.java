package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws bad input at every endpoint — malformed JSON, wrong types in every field (three levels deep), random
 * documents, unknown fields, bodies over the size limit (413 everywhere) — and checks that nothing answers 5xx and every reply is
 * JSON. Unknown fields change nothing: the answer is the one for the same body without them.
 */
class FuzzTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long LIMIT = 256 * 1024;
    private static final List<String> MALFORMED = List.of("{", "}", "[", "{\"a\":}", "nul", "\"text\"", "123", "[]",
            "{\"a\":1,}", "{\"a\":1}}", "\u0000", "{'a':1}", "{\"a\":1e999999}", "{\"a\":-}", "\uFEFF{}", "true",
            "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static final List<String> failures = new ArrayList<>();

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir, LIMIT);
    }

    @AfterAll
    static void stop() {
        // Runs the fuzzing submitted are real processes: abort them and let them end before the temp dir goes.
        for (JsonNode run : api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}").body()) {
            ObjectNode stop = ApiServer.json("{\"abort\":true}");
            stop.putArray("runs_names").add(run.path("run_spec").path("run_name").asText());
            api.post("/api/project/" + run.path("project_name").asText() + "/runs/stop", api.adminToken, stop);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}")
                .body().isEmpty());
        api.close();
    }

    private static ApiServer.Reply send(String path, byte[] body) {
        return api.call(path, api.adminToken, RequestBody.create(body, ApiServer.JSON), Map.of());
    }

    private static void expectNo5xx(String path, String what, byte[] body) {
        ApiServer.Reply reply;
        try {
            reply = send(path, body);
        } catch (RuntimeException e) {
            failures.add(path + " " + what + ": " + e);
            return;
        }
        if (reply.status() >= 500 || reply.body() == null) {
            failures.add(path + " " + what + ": " + reply);
        }
    }

    private static void expectNo5xx(String path, String what, String body) {
        expectNo5xx(path, what, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedJsonIsA422AtEveryEndpointThatReadsABody() {
        for (Endpoints.Endpoint endpoint : Endpoints.all()) {
            for (String text : MALFORMED) {
                expectNo5xx(endpoint.path(), "malformed " + abbreviate(text), text);
            }
            expectNo5xx(endpoint.path(), "invalid UTF-8", new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
            if (endpoint.body() != null) {
                for (String text : List.of("{", MALFORMED.get(MALFORMED.size() - 1))) {
                    ApiServer.Reply reply = send(endpoint.path(), text.getBytes(StandardCharsets.UTF_8));
                    assertThat(reply.status()).as("%s %s", endpoint.path(), reply).isEqualTo(422);
                    assertThat(reply.body().path("detail").get(0).path("type").asText()).isEqualTo("json_invalid");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void wrongTypesInEveryFieldAreRefusedWithout5xx() {
        List<JsonNode> wrong = List.of(NODES.numberNode(12345), NODES.numberNode(-1.5), NODES.textNode("text"),
                NODES.booleanNode(true), NODES.nullNode(), NODES.arrayNode(), NODES.objectNode(),
                NODES.arrayNode().add(NODES.nullNode()), NODES.textNode("\u0000\uFFFF../../etc/passwd"),
                NODES.textNode("x".repeat(70_000)), NODES.numberNode(Long.MAX_VALUE));
        for (Endpoints.Endpoint endpoint : Endpoints.all()) {
            if (endpoint.body() == null) {
                continue;
            }
            ObjectNode valid = ApiServer.json(endpoint.body());
            forEachField(valid, 0, (replace) -> {
                for (JsonNode value : wrong) {
                    ObjectNode mutated = valid.deepCopy();
                    replace.path().set(mutated, value);
                    expectNo5xx(endpoint.path(), replace.name() + "=" + abbreviate(value.toString()), mutated.toString());
                }
            });
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void randomDocumentsNeverBreakTheServer() {
        Random random = new Random(42);
        for (Endpoints.Endpoint endpoint : Endpoints.all()) {
            for (int i = 0; i < 6; i++) {
                expectNo5xx(endpoint.path(), "random #" + i, randomValue(random, 0).toString());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void unknownFieldsAreAcceptedEverywhere() {
        for (Endpoints.Endpoint endpoint : Endpoints.all()) {
            if (endpoint.body() == null) {
                continue;
            }
            api.post(endpoint.path(), api.adminToken, endpoint.body()); // creates what the body creates, once
            int expected = api.post(endpoint.path(), api.adminToken, endpoint.body()).status();
            ObjectNode withUnknown = ApiServer.json(endpoint.body());
            withUnknown.put("zz_field_from_the_future", 1);
            withUnknown.putObject("zz_object_from_the_future").put("a", "b");
            ApiServer.Reply reply = api.post(endpoint.path(), api.adminToken, withUnknown);
            assertThat(reply.status()).as("%s %s", endpoint.path(), reply).isEqualTo(expected).isLessThan(500);
        }
    }

    @Test
    void bodiesOverTheLimitAre413AndNothingElseBreaks() {
        byte[] huge = new byte[(int) LIMIT + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        for (Endpoints.Endpoint endpoint : Endpoints.all()) {
            ApiServer.Reply reply = send(endpoint.path(), huge);
            assertThat(reply.status()).as("%s %s", endpoint.path(), reply).isEqualTo(413);
        }
        assertThat(api.post("/api/users/get_my_user", api.adminToken, (String) null).status()).isEqualTo(200);
    }

    /** One field of a body, by path, and how to set it in a copy. */
    private record Replace(String name, Setter path) {}

    @FunctionalInterface
    private interface Setter {
        void set(ObjectNode root, JsonNode value);
    }

    /** Every field of the object, and of objects inside it down to three levels. */
    private static void forEachField(ObjectNode object, int depth, Consumer<Replace> action) {
        forEachField(object, depth, "", root -> root, action);
    }

    private static void forEachField(JsonNode object, int depth, String prefix,
            java.util.function.Function<ObjectNode, JsonNode> locate, Consumer<Replace> action) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String path = prefix + name;
            action.accept(new Replace(path, (root, value) -> ((ObjectNode) locate.apply(root)).set(name, value)));
            JsonNode child = object.get(name);
            if (child.isObject() && depth < 2) {
                forEachField(child, depth + 1, path + ".", root -> locate.apply(root).get(name), action);
            }
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 5 : 7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt(2000) - 1000);
            case 3 -> NODES.textNode(Long.toString(random.nextLong(), 36));
            case 4 -> NODES.numberNode(random.nextDouble() * 1e6);
            case 5 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                List<String> names = List.of("run_spec", "configuration", "name", "limit", "members", "username", "type",
                        "plan", "force", "id", "project_name", "runs_names", "repo_info", "spec", "commands");
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(names.get(random.nextInt(names.size())), randomValue(random, depth + 1));
                }
                yield object;
            }
        };
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
