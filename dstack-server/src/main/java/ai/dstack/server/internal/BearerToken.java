package ai.dstack.server.internal;

import io.javalin.http.Context;
import java.util.Locale;

/** The token of {@code Authorization: Bearer <token>}, with FastAPI's HTTPBearer answers when there is none. */
final class BearerToken {
    private BearerToken() {}

    static String of(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw HttpProblem.notAuthenticated();
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
        String credentials = space < 0 ? "" : trimmed.substring(space + 1).trim();
        if (credentials.isEmpty()) {
            throw HttpProblem.notAuthenticated();
        }
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            throw HttpProblem.invalidCredentials();
        }
        return credentials;
    }
}
