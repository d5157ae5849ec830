package dev.herald.server.api;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.server.net.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** How every API route reads its JSON body and answers: one place for async completion and error rendering. */
public final class Replies {
    /**
     * Header name and value as prebuilt ASCII: Vert.x validates and hashes a {@code String} name char by char
     * and encodes both on every response; an {@code AsciiString} is checked on its bytes and copied as is.
     */
    private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");

    private Replies() { }

    /**
     * An HTTP answer: status and JSON body ({@code null} body and {@code encoded}: no content).
     * {@code encoded}: the body already as JSON text (hot paths that build it without a {@link JsonObject}).
     */
    record Reply(int status, JsonObject body, Buffer encoded) {
        Reply(int status, JsonObject body) {
            this(status, body, null);
        }

        static Reply encoded(int status, Buffer json) {
            return new Reply(status, null, json);
        }
    }

    public static String jsonBody(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception("send the body as JSON with Content-Type: application/json"
                    + (type == null ? " (the request has no Content-Type)" : ""));
        }
        Buffer bytes = ctx.body() == null ? null : ctx.body().buffer(); // null, not empty, when nothing was sent
        // strict: a body that is not UTF-8 is refused, not decoded to U+FFFD (data is kept byte for byte)
        String body = bytes == null ? null : JsonText.strictUtf8(VertxInternals.view(bytes));
        if (body == null || body.isBlank()) {
            throw ErrorCode.INVALID_JSON.exception("the request body is empty");
        }
        return body;
    }

    static <T> void async(RoutingContext ctx, Supplier<CompletableFuture<T>> operation, Function<T, Reply> render) {
        async(ctx, operation, render, () -> { });
    }

    /**
     * Runs an operation that completes later (the store commits on its own threads) and answers on
     * the request's event loop. Catalogued errors, thrown at once or later, are rendered as such.
     */
    static <T> void async(RoutingContext ctx, Supplier<CompletableFuture<T>> operation, Function<T, Reply> render,
                                  Runnable done) {
        async(ctx.request(), ctx::fail, operation, render, done);
    }

    /**
     * {@link #async(RoutingContext, Supplier, Function, Runnable)} on a bare request: {@code fail} answers what is
     * not a catalogued error (the router's failure handler, or {@link ErrorRenderer#renderUnexpected}).
     */
    static <T> void async(HttpServerRequest request, Consumer<Throwable> fail, Supplier<CompletableFuture<T>> operation,
                          Function<T, Reply> render, Runnable done) {
        Context context = Vertx.currentContext();
        CompletableFuture<T> future;
        try {
            future = operation.get();
        } catch (HeraldException e) {
            done.run();
            ErrorRenderer.render(request, e);
            return;
        }
        if (future.isDone() && context != null) {
            // fire-and-forget publishes complete before returning: answer now, on this same event loop,
            // instead of a task (and its lambdas) queued behind the loop's other work
            finish(request, fail, future, render, done);
            return;
        }
        future.whenComplete((result, error) -> context.runOnContext(v -> finish(request, fail, future, render, done)));
    }

    /** Answers a completed operation on the request's event loop. */
    private static <T> void finish(HttpServerRequest request, Consumer<Throwable> fail, CompletableFuture<T> future,
                                   Function<T, Reply> render, Runnable done) {
        done.run();
        T result;
        try {
            result = future.join();
        } catch (CompletionException | CancellationException error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HeraldException e) {
                ErrorRenderer.render(request, e);
            } else {
                fail.accept(cause);
            }
            return;
        }
        Reply reply = render.apply(result);
        if (reply.encoded() != null) {
            respondEncoded(request.response(), reply.status(), reply.encoded());
        } else {
            respond(request.response(), reply.status(), reply.body());
        }
    }

    static void respondEncoded(HttpServerResponse response, int status, Buffer json) {
        response.setStatusCode(status).putHeader(CONTENT_TYPE, JSON_UTF8).end(json);
    }

    static void respond(RoutingContext ctx, int status, JsonObject body) {
        respond(ctx.response(), status, body);
    }

    static void respond(HttpServerResponse response, int status, JsonObject body) {
        if (body == null) {
            response.setStatusCode(status).end();
            return;
        }
        Buffer json = Buffer.buffer(body.encode());
        // Content-Length set here, not by Vert.x, so that a HEAD answer (no body) carries it as the GET does
        response.setStatusCode(status).putHeader(CONTENT_TYPE, JSON_UTF8)
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(json.length())).end(json);
    }
}
