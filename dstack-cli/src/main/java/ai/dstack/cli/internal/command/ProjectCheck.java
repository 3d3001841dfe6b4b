package ai.dstack.cli.internal.command;

import ai.dstack.api.ErrorCode;
import ai.dstack.cli.internal.CliException;
import ai.dstack.client.DstackApiException;
import ai.dstack.client.RemoteDstackClient;

/** Checks that a URL and token reach a project ({@code projects/{p}/get}) before it is written to the config. */
final class ProjectCheck {
    private ProjectCheck() {}

    static void verify(String project, String url, String token) {
        try (RemoteDstackClient client = RemoteDstackClient.builder().url(url).token(token).build()) {
            client.getProject(project);
        } catch (DstackApiException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                throw CliException.failure("Forbidden. Ensure the token is valid.");
            }
            if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.RESOURCE_NOT_EXISTS) {
                throw CliException.failure("Project '" + project + "' not found.");
            }
            throw e;
        }
    }
}
