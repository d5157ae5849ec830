package dev.herald.server.ws;

import dev.herald.server.net.OriginPolicy;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ws/origin}: tells a page whether its Origin may open {@code /ws}. A browser cannot read the
 * answer to a refused upgrade (the page only sees close code 1006), so the demo page asks here when its
 * socket fails and shows the setting to change. Answers {@code 200 {"allowed":…,"setting":"ws.allowed-origins"}},
 * readable from any origin (CORS {@code *}); it reveals nothing but the one decision the upgrade would make.
 * The Origin is not echoed: the page knows its own.
 *
 * <p>The origin checked is the request's {@code Origin} header, else its {@code ?origin=} parameter: browsers
 * send no Origin on a same-origin GET, so the demo page names its own ({@code location.origin}). The {@code Host}
 * compared with it is this request's, which passed the same proxies as the page's upgrade.
 */
final class OriginCheck {
    /** The setting that decides which origins may open {@code /ws}. */
    static final String SETTING = "ws.allowed-origins";

    private OriginCheck() {
    }

    static void answer(RoutingContext ctx, OriginPolicy policy) {
        var request = ctx.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            origin = originParameter(request.query());
        }
        boolean allowed = policy.allows(origin, request.getHeader(HttpHeaders.HOST));
        JsonObject body = new JsonObject().put("allowed", allowed).put("setting", SETTING);
        if (!allowed) {
            body.put("hint", "add this page's origin (scheme://host[:port]) to " + SETTING);
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }

    /** The {@code origin} query parameter, or null when absent or not valid percent-encoding. */
    private static String originParameter(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("origin=")) {
                try {
                    return java.net.URLDecoder.decode(pair.substring("origin=".length()), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
