package ai.dstack.core.internal.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.core.DstackEngine;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of {@code dstack.mode=embedded}, read from {@code Dstack.connect}'s map. Every engine setting is
 * optional and keeps the engine's default when absent; a value that does not parse is refused naming its key.
 */
public record EmbeddedSettings(
        Path serverDirectory, String databaseUrl, Boolean localFleet, Integer localBlocks, String adminToken,
        String token, String project) {
    public static final String SERVER_DIR = "dstack.server-dir";
    public static final String DATABASE_URL = "dstack.database-url";
    public static final String LOCAL_FLEET = "dstack.local-fleet";
    public static final String LOCAL_BLOCKS = "dstack.local-blocks";
    public static final String ADMIN_TOKEN = "dstack.admin-token";
    /** The user to act as (its token); default the admin. Same key as the remote mode's token. */
    public static final String TOKEN = "dstack.token";
    /** The default project; default the engine's {@code main}. Same key as the remote mode's. */
    public static final String PROJECT = "dstack.project";

    /**
     * @param environment where the defaults of a dstack server come from when a setting is absent:
     *     {@code DSTACK_SERVER_DIR} (else {@code ~/.dstack/server}) and {@code DSTACK_SERVER_LOCAL_FLEET}
     *     ({@code false} turns the local fleet off)
     */
    public static EmbeddedSettings from(Map<String, String> settings, java.util.function.Function<String, String> environment) {
        String dir = value(settings, SERVER_DIR);
        Path directory = dir != null ? path(dir) : defaultServerDirectory(environment);
        Boolean localFleet = bool(settings, LOCAL_FLEET);
        if (localFleet == null && "false".equalsIgnoreCase(environment.apply("DSTACK_SERVER_LOCAL_FLEET"))) {
            localFleet = Boolean.FALSE;
        }
        return new EmbeddedSettings(directory, value(settings, DATABASE_URL), localFleet,
                positiveInt(settings, LOCAL_BLOCKS), value(settings, ADMIN_TOKEN), value(settings, TOKEN),
                value(settings, PROJECT));
    }

    private static Path defaultServerDirectory(java.util.function.Function<String, String> environment) {
        String env = environment.apply("DSTACK_SERVER_DIR");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(ai.dstack.client.DstackConfig.homeDirectory(), ".dstack", "server");
    }

    /** An engine builder with these settings applied over the engine's defaults. */
    public DstackEngine.Builder engineBuilder() {
        DstackEngine.Builder builder = DstackEngine.builder();
        if (serverDirectory != null) {
            builder.serverDirectory(serverDirectory);
        }
        if (databaseUrl != null) {
            builder.databaseUrl(databaseUrl);
        }
        if (localFleet != null) {
            builder.localFleet(localFleet);
        }
        if (localBlocks != null) {
            builder.localBlocks(localBlocks);
        }
        if (adminToken != null) {
            builder.adminToken(adminToken);
        }
        return builder;
    }

    private static Path path(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, SERVER_DIR + " is not a valid path: '" + value + "' ("
                    + e.getReason() + ")");
        }
    }

    private static Boolean bool(Map<String, String> settings, String key) {
        String value = value(settings, key);
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new DstackException(ErrorCode.INVALID_REQUEST, key + " must be true or false, not '" + value + "'");
        };
    }

    private static Integer positiveInt(Map<String, String> settings, String key) {
        String value = value(settings, key);
        if (value == null) {
            return null;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new DstackException(ErrorCode.INVALID_REQUEST, key + " must be a whole number of at least 1, not '" + value + "'");
    }

    private static String value(Map<String, String> settings, String key) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
