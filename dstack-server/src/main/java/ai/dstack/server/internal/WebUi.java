package ai.dstack.server.internal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI: static files packaged in the server jar under {@value #ROOT}, served at {@code /} (the page) and
 * {@code /ui/...} (scripts, styles, images). The UI is plain HTML, JavaScript modules and CSS that call the public
 * REST API with the user's token, so it can do nothing the API would not let that user do.
 *
 * <p>Files are read once and kept in memory (they are a few tens of kilobytes). Every reply carries a strong ETag
 * and {@code Cache-Control: no-cache}: browsers keep the files and revalidate them with a cheap 304, so a new server
 * version is picked up at the next page load without hashed file names or a build step.
 */
public final class WebUi {
    static final String ROOT = "ai/dstack/server/ui/";
    /** Only plain relative names: no {@code ..}, no hidden files, a known extension. */
    private static final Pattern NAME = Pattern.compile("([a-z0-9_-]+/)*[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.(html|js|css|svg|png|ico)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    /** Scripts and styles only from this server, no inline code, no framing: a stolen page cannot run anyone's code. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final ClassLoader loader;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    public WebUi() {
        this(WebUi.class.getClassLoader());
    }

    WebUi(ClassLoader loader) {
        this.loader = loader;
    }

    /** {@code GET /} answers the page; {@code GET /ui/<file>} the files it loads. */
    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> serve(ctx, "index.html"));
        routes.get("/ui/<file>", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(Context ctx, String name) {
        Asset asset = NAME.matcher(name).matches() ? asset(name) : null;
        if (asset == null) {
            ctx.status(404);
            return;
        }
        ctx.attribute(Router.HANDLED, Boolean.TRUE);
        ctx.header("ETag", asset.etag());
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        if (name.endsWith(".html")) {
            ctx.header("Content-Security-Policy", CSP);
            ctx.header("X-Frame-Options", "DENY");
        }
        if (matches(ctx.header("If-None-Match"), asset.etag())) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.contentType());
        ctx.result(asset.bytes());
    }

    /** Whether an {@code If-None-Match} header names this ETag (a list, or {@code *}). */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** The file, read once; misses are not remembered, so that requests for made-up names cannot fill memory. */
    private Asset asset(String name) {
        Asset cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        Optional<Asset> loaded = load(name);
        loaded.ifPresent(asset -> cache.putIfAbsent(name, asset));
        return loaded.orElse(null);
    }

    private Optional<Asset> load(String name) {
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            return Optional.of(new Asset(bytes, TYPES.get(extension), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the UI file " + name + " from the server jar", e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Asset(byte[] bytes, String contentType, String etag) {}
}
