package dev.herald.server.api;

import dev.herald.core.LogSafe;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
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
        Buffer json = Buffer.buffer(body(e).encode());
        response.setStatusCode(e.code().httpStatus())
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(json.length())) // also on a HEAD, which has no body
                .end(json);
    }

    /**
     * The server's invalid-request handler: what the HTTP decoder could not read, in the envelope. A request line
     * over the limit is {@code 414 uri_too_long}, headers over it {@code 431 headers_too_large}, anything else (a
     * garbage request line, bad header syntax, two Content-Lengths) {@code 400 bad_request}. Vert.x closes the
     * connection after the answer; nothing is logged (client input).
     */
    public static void renderInvalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        HeraldException e;
        if (cause instanceof TooLongHttpLineException) {
            e = ErrorCode.URI_TOO_LONG.exception("the request line is longer than the server reads (" + MAX_LINE_HINT + ")");
        } else if (cause instanceof TooLongHttpHeaderException) {
            e = ErrorCode.HEADERS_TOO_LARGE.exception("the request headers are larger than the server reads (" + MAX_HEADERS_HINT + ")");
        } else {
            e = ErrorCode.BAD_REQUEST.exception("the request is not valid HTTP/1.1");
        }
        HttpServerResponse response = request.response();
        if (!response.headWritten() && !response.ended()) {
            response.putHeader("Connection", "close");
        }
        render(request, e);
    }

    private static final String MAX_LINE_HINT = io.vertx.core.http.HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes";
    private static final String MAX_HEADERS_HINT = io.vertx.core.http.HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";

    /** Router failure handler: maps status-only failures (404, 405, 413…) and stray exceptions onto the catalog. */
    public static void renderFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof HeraldException he) {
            render(ctx, he);
            return;
        }
        int status = ctx.statusCode();
        String path = path(ctx);
        HeraldException e = switch (status) {
            case 404 -> path == null ? malformedPath() : ErrorCode.NOT_FOUND.exception("no such resource (the API is described in docs/api.md)");
            case 405 -> path == null ? malformedPath() : ErrorCode.METHOD_NOT_ALLOWED.exception("this method is not allowed on this resource");
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.exception();
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception();
            case 400 -> unreadable();
            default -> null;
        };
        if (e == null && path == null) {
            e = malformedPath(); // vertx-web fails a path it cannot decode with the decoder's exception
        }
        if (e == null) {
            renderUnexpected(ctx.request(), path, failure);
            return;
        }
        render(ctx, e);
    }

    /** The normalized path, or {@code null} when it has a malformed percent escape (vertx-web throws then). */
    private static String path(RoutingContext ctx) {
        try {
            return ctx.normalizedPath();
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** A body the form decoder refused (a 400 failure of {@code BodyHandler}, or {@link PlainForm}'s). */
    static HeraldException unreadable() {
        return ErrorCode.INVALID_REQUEST.exception("the request could not be read");
    }

    private static HeraldException malformedPath() {
        return ErrorCode.INVALID_REQUEST.exception("the path has a malformed percent escape (% must be followed by two hex digits)");
    }

    /** A stray exception: {@code internal_error}, the details in the log only (as the router's failure handler). */
    static void renderUnexpected(HttpServerRequest request, String path, Throwable failure) {
        log.error("unhandled failure on {} {}", LogSafe.value(request.method()), LogSafe.value(path), failure);
        render(request, ErrorCode.INTERNAL_ERROR.exception());
    }
}
