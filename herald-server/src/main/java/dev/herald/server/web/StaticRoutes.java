package dev.herald.server.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * Public browser assets from the jar: the JavaScript SDK at {@code GET /herald.js} (from
 * {@code clients/js/herald.js}), the demo page at {@code GET /} (from {@code clients/js/demo/index.html}) and
 * Herald's icon at {@code GET /favicon.ico} and {@code /favicon.svg} (from {@code herald/icons/}, which also
 * holds a 128×128 PNG). All are read once at start and served from memory with an ETag and {@code Cache-Control: no-cache}:
 * browsers revalidate on each load (a cheap 304) so an upgraded server never runs against a stale SDK.
 * No API key: they hold no secrets (the demo tells how to publish with curl when auth is on).
 */
public final class StaticRoutes {
    /** Placeholder in the demo page's root element, replaced by "dev" or "auth" so it shows the right login form. */
    static final String MODE_PLACEHOLDER = "__HERALD_MODE__";

    private final Asset sdk;
    private final Asset demo;
    private final Asset favicon;
    private final Asset faviconSvg;
    /** The operator console's files ({@code /console}), or null when it is off ({@code console.enabled}). */
    private final java.util.Map<String, Asset> console;

    public StaticRoutes(boolean devMode) {
        this(devMode, false);
    }

    /**
     * {@code consoleEnabled}: also serve the operator console at {@code /console}: plain ES modules with no build step,
     * which call the HTTP API with an API key the operator types in (nothing secret is in the files).
     */
    public StaticRoutes(boolean devMode, boolean consoleEnabled) {
        this.sdk = Asset.load("/herald/web/herald.js", "text/javascript; charset=utf-8", UnaryOperator.identity());
        this.demo = Asset.load("/herald/web/demo/index.html", "text/html; charset=utf-8",
                html -> html.replace(MODE_PLACEHOLDER, devMode ? "dev" : "auth"));
        this.favicon = Asset.load("/herald/icons/favicon.ico", "image/x-icon");
        this.faviconSvg = Asset.load("/herald/icons/herald.svg", "image/svg+xml");
        this.console = !consoleEnabled ? null : java.util.Map.of(
                "/console", Asset.load("/herald/console/index.html", "text/html; charset=utf-8",
                        html -> html.replace(MODE_PLACEHOLDER, devMode ? "dev" : "auth")),
                "/console/console.js", Asset.load("/herald/console/console.js", "text/javascript; charset=utf-8", UnaryOperator.identity()),
                "/console/console.css", Asset.load("/herald/console/console.css", "text/css; charset=utf-8", UnaryOperator.identity()));
    }

    public void mount(Router router) {
        // HEAD too: curl -I and link checkers; Vert.x sends the headers of the GET without the body
        router.route("/herald.js").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(sdk::serve);
        router.route("/").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(demo::serve);
        // browsers ask for /favicon.ico by themselves; without it every demo page load logs a 404
        router.route("/favicon.ico").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(favicon::serve);
        router.route("/favicon.svg").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(faviconSvg::serve);
        if (console != null) {
            console.forEach((path, asset) -> router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(asset::serve));
            router.route("/console/").method(HttpMethod.GET).handler(ctx -> ctx.redirect("/console"));
        }
    }

    /** One file held in memory with its strong ETag (a hash of the bytes served). */
    private record Asset(Buffer body, String contentType, String etag) {
        /** A text file, transformed once as it is loaded. */
        static Asset load(String path, String contentType, UnaryOperator<String> transform) {
            byte[] bytes = transform.apply(new String(read(path), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            return new Asset(Buffer.buffer(bytes), contentType, '"' + sha256(bytes).substring(0, 32) + '"');
        }

        /** A file served as it is (images). */
        static Asset load(String path, String contentType) {
            byte[] bytes = read(path);
            return new Asset(Buffer.buffer(bytes), contentType, '"' + sha256(bytes).substring(0, 32) + '"');
        }

        private static byte[] read(String path) {
            try (InputStream in = StaticRoutes.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException(path + " is missing from the jar");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void serve(RoutingContext ctx) {
            var response = ctx.response()
                    .putHeader(HttpHeaders.ETAG, etag)
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .putHeader("X-Content-Type-Options", "nosniff");
            if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
                response.setStatusCode(304).end();
                return;
            }
            response.putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
        }

        /** If-None-Match may list several tags, or be {@code *}. */
        private boolean matches(String ifNoneMatch) {
            if (ifNoneMatch == null) {
                return false;
            }
            for (String tag : ifNoneMatch.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
