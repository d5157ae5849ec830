package dev.herald.server.api;

import dev.herald.core.LogSafe;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place HTTP errors are written: {@code {"error":{"code":…,"message":…}}} with the
 * catalogued status. Unexpected exceptions become {@code internal_error} with the details in the
 * log only, never in the response.
 */
public final class ErrorRenderer {
    private static final Logger log = LoggerFactory.getLogger(ErrorRenderer.class);

    private ErrorRenderer() { }

    public static JsonObject body(HeraldException e) {
        return new JsonObject().put("error", new JsonObject().put("code", e.code().code()).put("message", e.getMessage()));
    }

    public static void render(RoutingContext ctx, HeraldException e) {
        render(ctx.request(), e);
    }

    /** {@link #render(RoutingContext, HeraldException)} for a request answered without the router ({@code GET /send}). */
    static void render(HttpServerRequest request, HeraldException e) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            request.connection().close(); // cannot change the status any more
            return;
        }
        if (e.code() == ErrorCode.UNAUTHORIZED) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"herald\"");
        }
        response.setStatusCode(e.code().httpStatus())
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body(e).encode());
    }

    /** Router failure handler: maps status-only failures (404, 405, 413…) and stray exceptions onto the catalog. */
    public static void renderFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof HeraldException he) {
            render(ctx, he);
            return;
        }
        int status = ctx.statusCode();
        HeraldException e = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND.exception("no such resource (the API is described in docs/api.md)");
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED.exception("this method is not allowed on this resource");
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.exception();
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception();
            case 400 -> ErrorCode.INVALID_REQUEST.exception("the request could not be read");
            default -> null;
        };
        if (e == null) {
            renderUnexpected(ctx.request(), ctx.normalizedPath(), failure);
            return;
        }
        render(ctx, e);
    }

    /** A stray exception: {@code internal_error}, the details in the log only (as the router's failure handler). */
    static void renderUnexpected(HttpServerRequest request, String path, Throwable failure) {
        log.error("unhandled failure on {} {}", LogSafe.value(request.method()), LogSafe.value(path), failure);
        render(request, ErrorCode.INTERNAL_ERROR.exception());
    }
}
