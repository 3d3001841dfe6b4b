package ai.dstack.backend.aws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Service Quotas API of the fake EC2's accounts, in its real wire format (awsJson1_1: {@code POST /} with
 * {@code X-Amz-Target: ServiceQuotasV20190624.<Operation>}, a JSON body, JSON replies; errors as
 * {@code {"__type": ..., "message": ...}} with the {@code x-amzn-ErrorType} header). It answers
 * {@code GetServiceQuota} for EC2's quotas from {@link FakeEc2Account#quota}; every call is recorded with the EC2
 * calls (its action the operation's name).
 */
final class FakeServiceQuotas {
    static final String TARGET_PREFIX = "ServiceQuotasV20190624.";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** EC2's quota names, as Service Quotas reports them. */
    static final Map<String, String> NAMES = Map.of(
            "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
            "L-417A185B", "Running On-Demand P instances",
            "L-DB2E81BA", "Running On-Demand G and VT instances");

    private final Map<String, FakeEc2Account> accounts;
    private final List<FakeEc2.Call> calls;

    FakeServiceQuotas(Map<String, FakeEc2Account> accounts, List<FakeEc2.Call> calls) {
        this.accounts = accounts;
        this.calls = calls;
    }

    void handle(HttpExchange exchange, String accessKey, String region, String target, String body)
            throws IOException {
        String operation = target.substring(TARGET_PREFIX.length());
        JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        calls.add(new FakeEc2.Call(accessKey, region, operation, Map.of("ServiceCode",
                request.path("ServiceCode").asText(), "QuotaCode", request.path("QuotaCode").asText())));
        FakeEc2Account account = accounts.get(accessKey);
        if (account == null) {
            reply(exchange, 400, error("UnrecognizedClientException", "The security token included in the request is"
                    + " invalid."));
        } else if (account.denied("servicequotas:" + operation)) {
            reply(exchange, 400, error("AccessDeniedException", "User: arn:aws:iam::" + account.accountId()
                    + ":user/test is not authorized to perform: servicequotas:" + operation));
        } else if (!operation.equals("GetServiceQuota")) {
            reply(exchange, 400, error("UnknownOperationException", "Unknown operation " + operation));
        } else {
            String service = request.path("ServiceCode").asText();
            String code = request.path("QuotaCode").asText();
            Double value = service.equals("ec2") ? account.quota(region, code) : null;
            if (value == null) {
                reply(exchange, 400, error("NoSuchResourceException", "The request failed because the specified "
                        + "service or quota does not exist: " + service + "/" + code));
                return;
            }
            ObjectNode quota = JSON.createObjectNode();
            quota.put("ServiceCode", service).put("ServiceName", "Amazon Elastic Compute Cloud (Amazon EC2)")
                    .put("QuotaArn", "arn:aws:servicequotas:" + region + ":" + account.accountId() + ":ec2/" + code)
                    .put("QuotaCode", code).put("QuotaName", NAMES.get(code)).put("Value", value)
                    .put("Unit", "None").put("Adjustable", true).put("GlobalQuota", false);
            quota.putObject("UsageMetric").put("MetricNamespace", "AWS/Usage").put("MetricName", "ResourceCount")
                    .putObject("MetricDimensions").put("Class", NAMES.get(code).contains(" P ") ? "P/OnDemand"
                            : NAMES.get(code).contains(" G ") ? "G/OnDemand" : "Standard/OnDemand")
                    .put("Resource", "vCPU").put("Service", "EC2").put("Type", "Resource");
            ObjectNode reply = JSON.createObjectNode();
            reply.set("Quota", quota);
            reply(exchange, 200, reply);
        }
    }

    private static ObjectNode error(String type, String message) {
        return JSON.createObjectNode().put("__type", type).put("message", message);
    }

    private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (body.has("__type")) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", body.get("__type").asText());
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
