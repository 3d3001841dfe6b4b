package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database URL understood by the store, turned into what JDBC needs. Accepts JDBC URLs and dstack's SQLAlchemy
 * URLs ({@code DSTACK_DATABASE_URL}): {@code sqlite+aiosqlite:////abs/path.db} and
 * {@code postgresql+asyncpg://user:pass@host:port/db}, whose credentials move to connection properties.
 *
 * @param jdbcUrl the URL to hand to the driver, without credentials for dstack-style URLs
 * @param user null when the URL carries none
 * @param password null when the URL carries none
 * @param sqliteFile the database file, for SQLite only
 * @param display the URL as given, with any password masked: safe for logs and messages
 */
public record DatabaseUrl(
        Dialect dialect, String jdbcUrl, String user, String password, Path sqliteFile, String display) {

    private static final Pattern SQLALCHEMY_SQLITE = Pattern.compile("^sqlite(\\+\\w+)?://(.*)$");
    private static final Pattern SQLALCHEMY_POSTGRES = Pattern.compile("^postgres(ql)?(\\+\\w+)?://.*$");
    private static final Pattern PASSWORD_IN_AUTHORITY = Pattern.compile("^([a-zA-Z0-9+.-]+://[^:/@]*:)[^@]*(@.*)$");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    public DatabaseUrl {
        Objects.requireNonNull(dialect, "dialect is null");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl is null");
        Objects.requireNonNull(display, "display is null");
    }

    /** Whether {@link #parse} would accept the URL's scheme. Does not check the rest. */
    public static boolean isSupported(String url) {
        if (url == null) {
            return false;
        }
        String lower = url.trim().toLowerCase(Locale.ROOT);
        return lower.startsWith("jdbc:sqlite:")
                || lower.startsWith("jdbc:postgresql:")
                || SQLALCHEMY_SQLITE.matcher(lower).matches()
                || SQLALCHEMY_POSTGRES.matcher(lower).matches();
    }

    /** @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming the URL and what is wrong with it */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "The database URL is empty");
        }
        String trimmed = url.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:sqlite:")) {
            return sqlite(trimmed, trimmed.substring("jdbc:sqlite:".length()));
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(Dialect.POSTGRES, trimmed, null, null, null, mask(trimmed));
        }
        Matcher sqlite = SQLALCHEMY_SQLITE.matcher(trimmed);
        if (sqlite.matches()) {
            String rest = sqlite.group(2);
            // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db; the third slash only separates.
            if (!rest.startsWith("/")) {
                throw invalid(trimmed, "expected sqlite+aiosqlite:////absolute/path.db or sqlite:///relative.db");
            }
            return sqlite(trimmed, rest.substring(1));
        }
        if (SQLALCHEMY_POSTGRES.matcher(lower).matches()) {
            return postgres(trimmed);
        }
        throw invalid(trimmed, "unsupported scheme; use jdbc:sqlite:<file>, jdbc:postgresql://..., "
                + "sqlite+aiosqlite:////<file> or postgresql+asyncpg://user:password@host:port/database");
    }

    /** {@code url} with the password replaced by {@code ***}. */
    public static String mask(String url) {
        String masked = PASSWORD_IN_AUTHORITY.matcher(url).replaceFirst("$1***$2");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1***");
    }

    private static DatabaseUrl sqlite(String original, String fileAndQuery) {
        if (fileAndQuery.contains("?")) {
            throw invalid(original, "URL parameters are not supported: the store sets its own pragmas");
        }
        String file = fileAndQuery;
        if (file.startsWith("file:")) {
            file = file.substring("file:".length());
        }
        if (file.isEmpty() || file.equals(":memory:") || file.contains("mode=memory")) {
            throw invalid(original, "the SQLite database must be a file: the writer and the readers share it");
        }
        Path path;
        try {
            path = Path.of(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid(original, "not a file path: " + e.getMessage());
        }
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + path, null, null, path, mask(original));
    }

    private static DatabaseUrl postgres(String original) {
        URI uri;
        try {
            uri = new URI(original);
        } catch (URISyntaxException e) {
            throw invalid(original, e.getMessage());
        }
        String host = uri.getHost();
        if (host == null) {
            throw invalid(original, "no host; expected postgresql+asyncpg://user:password@host:port/database");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.length() <= 1) {
            throw invalid(original, "no database name; expected postgresql+asyncpg://user:password@host:port/database");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(host);
        if (uri.getPort() >= 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append(path);
        Map<String, String> parameters = jdbcParameters(uri.getRawQuery());
        if (!parameters.isEmpty()) {
            StringBuilder query = new StringBuilder();
            parameters.forEach((key, value) -> query.append(query.length() == 0 ? '?' : '&')
                    .append(key).append('=').append(value));
            jdbc.append(query);
        }
        return new DatabaseUrl(Dialect.POSTGRES, jdbc.toString(), user, password, null, mask(original));
    }

    /** asyncpg's {@code ssl=require} is pgJDBC's {@code sslmode=require}; other parameters pass through. */
    private static Map<String, String> jdbcParameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(key.equals("ssl") ? "sslmode" : key, value);
        }
        return parameters;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private static DstackException invalid(String url, String problem) {
        return new DstackException(ErrorCode.INVALID_REQUEST, "Invalid database URL " + mask(url) + ": " + problem);
    }
}
