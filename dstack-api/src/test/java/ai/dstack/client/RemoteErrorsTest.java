package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each error shape dstack's server sends (dstack-api.md §2) becomes a typed exception with dstack's code. */
class RemoteErrorsTest {
    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    private DstackApiException getRunFails() {
        try (RemoteDstackClient client = server.client()) {
            return catchThrowableOfType(DstackApiException.class, () -> client.project().getRun("train"));
        }
    }

    @Test
    void aBusinessErrorCarriesDstacksCodeAndItsMessageUnchanged() {
        server.reply(400, "{\"detail\":[{\"msg\":\"Run not found\",\"code\":\"resource_not_exists\"}]}");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(e).hasMessage("Run not found");
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.endpoint()).isEqualTo("/api/project/main/runs/get");
        assertThat(e.details()).containsExactly(new ApiErrorDetail("Run not found", "resource_not_exists", java.util.List.of()));
    }

    @Test
    void everyKnownBusinessCodeMapsToItsErrorCode() {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.wireValue() == null) {
                continue;
            }
            server.reply(400, "{\"detail\":[{\"msg\":\"m\",\"code\":\"" + code.wireValue() + "\"}]}");
            assertThat(getRunFails().code()).as(code.wireValue()).isEqualTo(code);
        }
    }

    @Test
    void anUnknownOrMissingCodeIsAPlainError() {
        server.reply(400, "{\"detail\":[{\"msg\":\"Something new\",\"code\":\"quota_exceeded\"}]}");
        server.reply(400, "{\"detail\":[{\"msg\":\"Invalid version: x\",\"code\":null}]}");
        server.reply(400, "{\"detail\":\"Filename too long\"}");

        DstackApiException unknown = getRunFails();
        DstackApiException missing = getRunFails();
        DstackApiException text = getRunFails();

        assertThat(unknown.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(unknown).hasMessage("Something new");
        assertThat(missing.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(missing).hasMessage("Invalid version: x");
        assertThat(text.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(text).hasMessage("Filename too long");
    }

    @Test
    void anIncompatibleClientVersionIsReportedInTheServersWords() {
        String msg = "The client/CLI version (0.21.2) is incompatible with the server version (0.20.1).";
        server.reply(400, "{\"detail\":[{\"msg\":\"" + msg + "\",\"code\":\"error\"}]}");

        assertThat(getRunFails()).hasMessage(msg);
    }

    @Test
    void anErrorWithFieldsNamesEachField() {
        server.reply(400, """
                {"detail":[{"msg":"Resource exists","code":"resource_exists","fields":["spec","name"]},
                           {"msg":"Resource exists","code":"resource_exists","fields":["plan","name"]}]}""");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS);
        assertThat(e).hasMessage("spec.name: Resource exists; plan.name: Resource exists");
        assertThat(e.details()).extracting(ApiErrorDetail::fields)
                .containsExactly(java.util.List.of("spec", "name"), java.util.List.of("plan", "name"));
    }

    @Test
    void anInvalidTokenIsForbiddenWithAHintToCheckTheToken() {
        server.reply(403, "{\"detail\":{\"msg\":\"Invalid token\",\"code\":null}}");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(e.getMessage()).startsWith("Invalid token: the dstack server at " + server.url() + " refused /api/project/main/runs/get")
                .contains("Check the token");
    }

    @Test
    void aServiceRefusalWithoutTheDetailWrapperIsForbiddenWithItsMessage() {
        server.reply(403, "{\"msg\":\"Access denied: changing project admins\",\"code\":null}");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(e.getMessage()).startsWith("Access denied: changing project admins: ");
    }

    @Test
    void aMissingTokenIsForbiddenWhetherTheServerSays401Or403() {
        server.reply(401, "{\"detail\":\"Not authenticated\"}");
        server.reply(403, "{\"detail\":\"Not authenticated\"}");

        assertThat(getRunFails().code()).isEqualTo(ErrorCode.FORBIDDEN);
        DstackApiException e = getRunFails();
        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(e.getMessage()).startsWith("Not authenticated: ");
    }

    @Test
    void anUnknownProjectIsNotFound() {
        server.reply(404, "{\"detail\":{\"msg\":\"Not found\",\"code\":null}}");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.getMessage()).startsWith("Not found: /api/project/main/runs/get").contains("project does not exist");
    }

    @Test
    void anUnknownRouteIsNotFoundAndAsksWhetherTheServerIsCompatible() {
        server.reply(404, "{\"detail\":\"Not Found\"}");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.getMessage()).contains("has no endpoint /api/project/main/runs/get").contains("compatible");
    }

    @Test
    void aValidationErrorIsAnInvalidRequestNamingEachField() {
        server.reply(422, """
                {"detail":[{"type":"missing","loc":["body","run_name"],"msg":"Field required","input":{}},
                           {"type":"extra_forbidden","loc":["body","colour"],"msg":"Extra inputs are not permitted","input":"red"}]}""");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).endsWith("as invalid: run_name: Field required; colour: Extra inputs are not permitted");
        assertThat(e.details()).extracting(ApiErrorDetail::code).containsExactly("missing", "extra_forbidden");
    }

    @Test
    void aServerFailureIsInternalAndPointsAtTheServerLogs() {
        server.reply(500, "Internal Server Error");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getMessage()).contains("HTTP 500: Internal Server Error").endsWith("Check the server logs.");
    }

    @Test
    void anotherStatusIsAPlainErrorWithAnExcerptOfAnHtmlBody() {
        server.reply(418, "<html><body>I'm a teapot</body></html>");

        DstackApiException e = getRunFails();

        assertThat(e.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(e.getMessage()).startsWith("Unexpected HTTP 418").contains("I'm a teapot");
    }

    @Test
    void aReplyThatIsNotTheExpectedShapeNamesTheEndpoint() {
        server.reply("{\"unexpected\":true}");

        try (RemoteDstackClient client = server.client()) {
            DstackException e = catchThrowableOfType(DstackException.class, () -> client.project().getRun("train"));

            assertThat(e).isNotInstanceOf(DstackApiException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.ERROR);
            assertThat(e.getMessage()).startsWith("Unexpected reply from the dstack server at " + server.url()
                    + " to /api/project/main/runs/get: ");
        }
    }
}
