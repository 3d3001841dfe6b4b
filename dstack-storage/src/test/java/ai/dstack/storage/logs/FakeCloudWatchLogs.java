package ai.dstack.storage.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory CloudWatch Logs on 127.0.0.1 that speaks the service's JSON protocol ({@code POST /} with
 * {@code X-Amz-Target: Logs_20140328.<Action>} and {@code application/x-amz-json-1.1}) for the four calls dstack's
 * policy allows, with the service's documented checks and error replies: {@code ResourceNotFoundException},
 * {@code ResourceAlreadyExistsException}, {@code InvalidParameterException} for a batch outside the limits, and
 * {@code ThrottlingException} on demand. Like the real service, a stream reads back in event-time order and a
 * token past the end comes back unchanged.
 */
final class FakeCloudWatchLogs implements AutoCloseable {
    static final String TARGET_PREFIX = "Logs_20140328.";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Replies are written in two parts (headers, body): without TCP_NODELAY each call waits for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    record Event(long timestamp, String message, long ingestion) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Clock clock;
    private final Map<String, Map<String, List<Event>>> groups = new LinkedHashMap<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> putRejections = new ArrayList<>();
    private final List<Integer> putBatchSizes = new ArrayList<>();
    private long ingestion;

    private FakeCloudWatchLogs(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeCloudWatchLogs start(Clock clock) {
        try {
            return new FakeCloudWatchLogs(clock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake CloudWatch Logs", e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized void createGroup(String group) {
        groups.putIfAbsent(group, new TreeMap<>());
    }

    synchronized void deleteGroup(String group) {
        groups.remove(group);
    }

    synchronized void deleteStream(String group, String stream) {
        groups.get(group).remove(stream);
    }

    synchronized List<String> streams(String group) {
        return List.copyOf(groups.get(group).keySet());
    }

    synchronized List<Event> events(String group, String stream) {
        return List.copyOf(groups.get(group).getOrDefault(stream, List.of()));
    }

    /** The next {@code count} calls are answered with {@code ThrottlingException}. */
    void throttleNext(int count) {
        throttleNext.set(count);
    }

    int calls(String action) {
        return calls.getOrDefault(action, new AtomicInteger()).get();
    }

    /** Why each rejected {@code PutLogEvents} was rejected; a correct client gets none. */
    synchronized List<String> putRejections() {
        return List.copyOf(putRejections);
    }

    /** The number of events in each accepted {@code PutLogEvents}. */
    synchronized List<Integer> putBatchSizes() {
        return List.copyOf(putBatchSizes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** A reply with the service's error shape. */
    private static final class Failure extends RuntimeException {
        final String type;

        Failure(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String action = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : "";
            calls.computeIfAbsent(action, key -> new AtomicInteger()).incrementAndGet();
            try {
                if (!"POST".equals(exchange.getRequestMethod()) || !"application/x-amz-json-1.1".equals(contentType)) {
                    throw new Failure("SerializationException", "Expected POST with application/x-amz-json-1.1");
                }
                if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new Failure("ThrottlingException", "Rate exceeded");
                }
                JsonNode request = JSON.readTree(body);
                ObjectNode reply = switch (action) {
                    case "DescribeLogStreams" -> describeLogStreams(request);
                    case "CreateLogStream" -> createLogStream(request);
                    case "PutLogEvents" -> putLogEvents(request);
                    case "GetLogEvents" -> getLogEvents(request);
                    default -> throw new Failure("UnknownOperationException", "Unknown operation " + target);
                };
                send(exchange, 200, reply, null);
            } catch (Failure failure) {
                ObjectNode error = JSON.createObjectNode().put("__type", failure.type).put("message", failure.getMessage());
                send(exchange, 400, error, failure.type);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, ObjectNode reply, String errorType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(reply);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized ObjectNode describeLogStreams(JsonNode request) {
        Map<String, List<Event>> group = group(request);
        String prefix = request.path("logStreamNamePrefix").asText("");
        int limit = request.path("limit").asInt(50);
        ArrayNode streams = JSON.createArrayNode();
        group.keySet().stream().filter(name -> name.startsWith(prefix)).limit(limit).forEach(name -> streams.addObject()
                .put("logStreamName", name)
                .put("creationTime", clock.millis())
                .put("arn", "arn:aws:logs:eu-west-1:123456789012:log-group:" + request.path("logGroupName").asText()
                        + ":log-stream:" + name));
        ObjectNode reply = JSON.createObjectNode();
        reply.set("logStreams", streams);
        return reply;
    }

    private synchronized ObjectNode createLogStream(JsonNode request) {
        Map<String, List<Event>> group = group(request);
        String name = request.path("logStreamName").asText();
        if (group.containsKey(name)) {
            throw new Failure("ResourceAlreadyExistsException", "The specified log stream already exists");
        }
        group.put(name, new ArrayList<>());
        return JSON.createObjectNode();
    }

    private synchronized ObjectNode putLogEvents(JsonNode request) {
        List<Event> stream = stream(request);
        List<Event> batch = new ArrayList<>();
        for (JsonNode event : request.path("logEvents")) {
            batch.add(new Event(event.path("timestamp").asLong(), event.path("message").asText(), ++ingestion));
        }
        String invalid = invalidBatch(batch);
        if (invalid != null) {
            putRejections.add(invalid);
            throw new Failure("InvalidParameterException", invalid);
        }
        stream.addAll(batch);
        stream.sort(Comparator.comparingLong(Event::timestamp)); // stable: ingestion order among equal times
        putBatchSizes.add(batch.size());
        return JSON.createObjectNode().put("nextSequenceToken", Long.toString(ingestion));
    }

    /** The service's documented PutLogEvents limits. */
    private String invalidBatch(List<Event> batch) {
        if (batch.isEmpty() || batch.size() > 10_000) {
            return "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: size 1..10000, was "
                    + batch.size();
        }
        long bytes = 0;
        long now = clock.millis();
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            int size = event.message().getBytes(StandardCharsets.UTF_8).length + 26;
            if (event.message().isEmpty()) {
                return "Log event message must not be empty";
            }
            if (size > 262_144) {
                return "Log event too large: " + size + " bytes";
            }
            bytes += size;
            if (i > 0 && event.timestamp() < batch.get(i - 1).timestamp()) {
                return "Log events in a single PutLogEvents request must be in chronological order.";
            }
            if (now - event.timestamp() > Duration.ofDays(14).toMillis()
                    || event.timestamp() - now > Duration.ofHours(2).toMillis()) {
                return "Log event timestamp out of the accepted range: " + event.timestamp();
            }
        }
        if (bytes > 1_048_576) {
            return "Upload too large: " + bytes + " bytes exceeds limit of 1048576";
        }
        if (batch.get(batch.size() - 1).timestamp() - batch.get(0).timestamp() > Duration.ofHours(24).toMillis()) {
            return "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.";
        }
        return null;
    }

    private synchronized ObjectNode getLogEvents(JsonNode request) {
        List<Event> stream = stream(request);
        long start = request.path("startTime").asLong(Long.MIN_VALUE);
        long end = request.path("endTime").asLong(Long.MAX_VALUE);
        int limit = request.path("limit").asInt(10_000);
        if (limit < 1 || limit > 10_000) {
            throw new Failure("InvalidParameterException", "limit must be within 1..10000");
        }
        List<Event> range = stream.stream().filter(e -> e.timestamp() >= start && e.timestamp() < end).toList();
        String token = request.path("nextToken").asText(null);
        boolean forward;
        int position;
        if (token == null) {
            forward = request.path("startFromHead").asBoolean(false);
            position = forward ? 0 : range.size();
        } else {
            forward = token.startsWith("f/");
            try {
                if (!forward && !token.startsWith("b/")) {
                    throw new NumberFormatException(token);
                }
                position = Integer.parseInt(token.substring(2));
                if (position < 0) {
                    throw new NumberFormatException(token);
                }
                position = Math.min(position, range.size());
            } catch (NumberFormatException e) {
                throw new Failure("InvalidParameterException", "The specified nextToken is invalid.");
            }
        }
        int from = forward ? position : Math.max(0, position - limit);
        int to = forward ? Math.min(range.size(), position + limit) : position;
        ArrayNode events = JSON.createArrayNode();
        for (Event event : range.subList(from, to)) {
            events.addObject()
                    .put("timestamp", event.timestamp())
                    .put("message", event.message())
                    .put("ingestionTime", event.ingestion());
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.set("events", events);
        reply.put("nextForwardToken", "f/" + to).put("nextBackwardToken", "b/" + from);
        return reply;
    }

    private Map<String, List<Event>> group(JsonNode request) {
        Map<String, List<Event>> group = groups.get(request.path("logGroupName").asText());
        if (group == null) {
            throw new Failure("ResourceNotFoundException", "The specified log group does not exist.");
        }
        return group;
    }

    private List<Event> stream(JsonNode request) {
        List<Event> stream = group(request).get(request.path("logStreamName").asText());
        if (stream == null) {
            throw new Failure("ResourceNotFoundException", "The specified log stream does not exist.");
        }
        return stream;
    }
}
