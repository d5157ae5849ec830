package dev.herald.server.api;

import dev.herald.core.PushCenter;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.server.auth.ApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The HTTP API as thin routes over {@link PushCenter}: parse the request, call one core method,
 * write its result. Errors are thrown and rendered once by {@link ErrorRenderer}.
 */
public final class ApiRoutes {
    private final PushCenter center;
    private final ApiKeys apiKeys;
    private final long maxBodySize;
    private final int maxBatch;
    private final BooleanSupplier draining;
    private final Timer publishTimer;

    public ApiRoutes(PushCenter center, ApiKeys apiKeys, long maxBodySize, int maxBatch, BooleanSupplier draining, MeterRegistry registry) {
        this.center = center;
        this.apiKeys = apiKeys;
        this.maxBodySize = maxBodySize;
        this.maxBatch = maxBatch;
        this.draining = draining;
        this.publishTimer = Timer.builder("herald.publish.latency")
                .description("Time to accept and fan out one publish request (excluding network)")
                .publishPercentileHistogram().register(registry);
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize).setHandleFileUploads(false);
        // the key is checked on its own route, before any body is buffered
        router.route("/send").handler(this::requireServingAndApiKey);
        router.route("/api/v1/*").handler(this::requireServingAndApiKey);
        router.route("/send").method(HttpMethod.GET).method(HttpMethod.POST).handler(body).handler(this::send);
        router.post("/api/v1/messages").handler(body).handler(this::publish);
        router.post("/api/v1/messages/batch").handler(body).handler(this::publishBatch);
        router.get("/api/v1/stats").handler(this::stats);
        router.get("/api/v1/users/:uid").handler(this::presence);
        router.delete("/api/v1/users/:uid/connections").handler(this::kick);
    }

    /** API routes: refused with 503 once shutdown has begun, then {@link #requireApiKey}. */
    private void requireServingAndApiKey(RoutingContext ctx) {
        if (draining.getAsBoolean()) {
            ErrorRenderer.render(ctx, ErrorCode.SHUTTING_DOWN.exception());
            return;
        }
        requireApiKey(ctx);
    }

    /** Checks {@code Authorization: Bearer <key>} in constant time; open in dev mode (loopback only). */
    public void requireApiKey(RoutingContext ctx) {
        if (!apiKeys.isEmpty()) {
            String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
            if (!apiKeys.matches(presented)) {
                ErrorRenderer.render(ctx, ErrorCode.UNAUTHORIZED.exception(presented == null
                        ? "missing Authorization: Bearer <api key>" : "the API key is not valid"));
                return;
            }
        }
        ctx.next();
    }

    private void send(RoutingContext ctx) {
        timed(ctx, () -> {
            PushCenter.Published p = center.send(ctx.request().getParam("uid"), ctx.request().getParam("message"));
            return new JsonObject().put("id", p.id()).put("delivered", p.delivered());
        });
    }

    private void publish(RoutingContext ctx) {
        timed(ctx, () -> {
            PushCenter.Published p = center.publishJson(jsonBody(ctx));
            return published(p);
        });
    }

    private void publishBatch(RoutingContext ctx) {
        timed(ctx, () -> {
            List<PushCenter.BatchResult> results = center.publishBatchJson(jsonBody(ctx), maxBatch);
            JsonArray out = new JsonArray();
            for (PushCenter.BatchResult r : results) {
                out.add(r.error() != null ? ErrorRenderer.body(r.error()) : published(r.published()));
            }
            return new JsonObject().put("results", out);
        });
    }

    private static JsonObject published(PushCenter.Published p) {
        return new JsonObject().put("id", p.id()).put("delivered", p.delivered());
    }

    private void stats(RoutingContext ctx) {
        PushCenter.Stats s = center.stats();
        respond(ctx, 200, new JsonObject()
                .put("node", s.nodeId()).put("version", s.version()).put("uptimeSeconds", s.uptime().toSeconds())
                .put("connections", s.connections()).put("usersOnline", s.usersOnline()).put("topics", s.topics())
                .put("messagesIn", s.messagesIn()).put("messagesOut", s.messagesOut()).put("dropped", s.dropped())
                .put("slowConsumerCloses", s.slowConsumerCloses()).put("connectionsRejected", s.connectionsRejected()));
    }

    private void presence(RoutingContext ctx) {
        run(ctx, () -> {
            PushCenter.Presence p = center.presence(ctx.pathParam("uid"));
            JsonArray connections = new JsonArray();
            for (PushCenter.ConnectionInfo c : p.connections()) {
                connections.add(new JsonObject().put("id", c.id()).put("remoteAddress", c.remoteAddress())
                        .put("protocol", c.protocol()).put("connectedAt", c.connectedAt().toString())
                        .put("topics", new JsonArray(c.topics())));
            }
            return new JsonObject().put("user", p.userId()).put("online", p.online()).put("connections", connections);
        });
    }

    private void kick(RoutingContext ctx) {
        run(ctx, () -> new JsonObject().put("disconnected",
                center.kick(ctx.pathParam("uid"), ctx.request().getParam("connection"))));
    }

    private static String jsonBody(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception("send the body as JSON with Content-Type: application/json (got "
                    + (type == null ? "none" : type) + ")");
        }
        String body = ctx.body() == null ? null : ctx.body().asString(); // null, not "", when nothing was sent
        if (body == null || body.isBlank()) {
            throw ErrorCode.INVALID_JSON.exception("the request body is empty");
        }
        return body;
    }

    private interface Operation {
        JsonObject call();
    }

    /** A publish operation: also recorded in {@code herald.publish.latency}. */
    private void timed(RoutingContext ctx, Operation operation) {
        Timer.Sample sample = Timer.start();
        try {
            run(ctx, operation);
        } finally {
            sample.stop(publishTimer);
        }
    }

    private static void run(RoutingContext ctx, Operation operation) {
        JsonObject result;
        try {
            result = operation.call();
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
            return;
        }
        respond(ctx, 200, result);
    }

    static void respond(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
    }
}
