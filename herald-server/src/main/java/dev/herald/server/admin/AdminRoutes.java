package dev.herald.server.admin;

import dev.herald.server.api.ApiRoutes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;

/**
 * Operator endpoints. {@code /health*} are public (load balancers probe them without keys);
 * {@code /metrics} needs the API key when auth is configured; {@code /openapi.yaml} is public.
 */
public final class AdminRoutes {
    private final HeraldMetrics metrics;
    private final ApiRoutes api;
    private final BooleanSupplier draining;
    private final Buffer openApi;

    public AdminRoutes(HeraldMetrics metrics, ApiRoutes api, BooleanSupplier draining) {
        this.metrics = metrics;
        this.api = api;
        this.draining = draining;
        this.openApi = resource("/herald/openapi.yaml");
    }

    public void mount(Router router) {
        router.get("/health").handler(this::ready);
        router.get("/health/ready").handler(this::ready);
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        router.get("/metrics").handler(api::requireApiKey).handler(ctx -> end(ctx, 200, "text/plain; version=0.0.4; charset=utf-8",
                Buffer.buffer(metrics.scrape())));
        router.get("/openapi.yaml").handler(ctx -> end(ctx, 200, "application/yaml; charset=utf-8", openApi));
    }

    /** Ready while serving; 503 once shutdown has begun so load balancers move traffic away first. */
    private void ready(RoutingContext ctx) {
        boolean up = !draining.getAsBoolean();
        json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DRAINING"));
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        end(ctx, status, "application/json; charset=utf-8", Buffer.buffer(body.encode()));
    }

    /** Content-Length set here, not by Vert.x, so that a HEAD answer (no body) carries it as the GET does. */
    private static void end(RoutingContext ctx, int status, String contentType, Buffer body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", contentType)
                .putHeader("Content-Length", Integer.toString(body.length())).end(body);
    }

    private static Buffer resource(String path) {
        try (InputStream in = AdminRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
