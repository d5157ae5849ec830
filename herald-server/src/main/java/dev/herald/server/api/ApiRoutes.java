package dev.herald.server.api;

import dev.herald.core.PushCenter;
import dev.herald.core.message.Target;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.server.auth.ApiKeys;
import dev.herald.server.cluster.ClusterViews;
import dev.herald.server.cluster.StatsJson;
import dev.herald.server.net.NetworkTransport;
import dev.herald.server.net.DeliveryLatency;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.herald.server.api.Replies.async;
import static dev.herald.server.api.Replies.jsonBody;
import static dev.herald.server.api.Replies.respond;
import dev.herald.server.api.Replies.Reply;

/**
 * The HTTP API as thin routes over {@link PushCenter}: parse the request, call one core method,
 * write its result. Errors are thrown and rendered once by {@link ErrorRenderer}.
 */
public final class ApiRoutes {
    private final PushCenter center;
    private final ClusterViews views;
    private final ApiKeys apiKeys;
    private final long maxBodySize;
    private final int maxBatch;
    private final BooleanSupplier draining;
    private final Timer publishTimer;
    private final DeliveryLatency deliveryLatency;
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1_000;
    /** What {@code GET /send} reads from its query (in this order). */
    private static final String[] SEND_PARAMS = {"uid", "message", "persist"};
    private static final CharSequence IDEMPOTENCY_KEY = HttpHeaders.createOptimized("Idempotency-Key");

    public ApiRoutes(PushCenter center, ClusterViews views, ApiKeys apiKeys, long maxBodySize, int maxBatch,
                     BooleanSupplier draining, MeterRegistry registry) {
        this.center = center;
        this.views = views;
        this.apiKeys = apiKeys;
        this.maxBodySize = maxBodySize;
        this.maxBatch = maxBatch;
        this.draining = draining;
        this.publishTimer = Timer.builder("herald.publish.latency")
                .description("Time to accept and fan out one publish request (excluding network)")
                .publishPercentileHistogram().register(registry);
        this.deliveryLatency = new DeliveryLatency(registry);
    }

    public void mount(Router router) {
        // preallocated from Content-Length (capped at 64 KB by Vert.x): a batch body is not regrown and copied
        // chunk by chunk (doubling from a small buffer cost more allocation than the whole rest of a batch)
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize).setHandleFileUploads(false)
                .setPreallocateBodyBuffer(true)
                // not merged into request.params(): that map decodes the whole query and throws on a malformed
                // escape (a 500); POST /send reads its query with QueryParams and the form on its own
                .setMergeFormAttributes(false);
        // the key is checked on its own route, before any body is buffered
        router.route("/send").handler(this::requireServingAndApiKey);
        router.route("/api/v1/*").handler(this::requireServingAndApiKey);
        // the seed's GET carries everything in its query: no BodyHandler (it would set up body buffering for
        // nothing on every request); a POST may send the parameters as a form body, which BodyHandler merges
        router.get("/send").handler(this::sendQuery);
        router.post("/send").handler(body).handler(this::send);
        router.post("/api/v1/messages").handler(body).handler(this::publish);
        router.post("/api/v1/messages/batch").handler(body).handler(this::publishBatch);
        router.get("/api/v1/messages/:id").handler(this::receipt);
        router.get("/api/v1/users/:uid/messages").handler(this::userMessages);
        router.get("/api/v1/stats").handler(this::stats);
        router.get("/api/v1/users/:uid").handler(this::presence);
        router.delete("/api/v1/users/:uid/connections").handler(this::kick);
    }

    /**
     * The router's first handler: a query with a malformed percent escape is answered {@code 400 invalid_request}
     * here, since vertx-web decodes the whole query (and fails with a 500) when it matches a route with path
     * parameters, before any of Herald's handlers runs.
     */
    public static void rejectMalformedQuery(RoutingContext ctx) {
        try {
            QueryParams.requireWellFormed(ctx.request().uri());
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
            return;
        }
        ctx.next();
    }

    /** API routes: refused with 503 once shutdown has begun, then {@link #requireApiKey}. */
    private void requireServingAndApiKey(RoutingContext ctx) {
        nextUnless(ctx, servingAndApiKeyRefusal(ctx.request()));
    }

    /** Checks {@code Authorization: Bearer <key>} in constant time; open in dev mode (loopback only). */
    public void requireApiKey(RoutingContext ctx) {
        nextUnless(ctx, apiKeyRefusal(ctx.request()));
    }

    /** A route guard's end: the refusal rendered, or (none) the next handler. */
    private static void nextUnless(RoutingContext ctx, HeraldException refused) {
        if (refused != null) {
            ErrorRenderer.render(ctx, refused);
        } else {
            ctx.next();
        }
    }

    /** Why {@link #requireServingAndApiKey} refuses {@code request} ({@code shutting_down}, {@code unauthorized}), or null. */
    private HeraldException servingAndApiKeyRefusal(HttpServerRequest request) {
        return draining.getAsBoolean() ? ErrorCode.SHUTTING_DOWN.exception() : apiKeyRefusal(request);
    }

    private HeraldException apiKeyRefusal(HttpServerRequest request) {
        if (apiKeys.isEmpty()) {
            return null;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        return apiKeys.matches(presented) ? null : ErrorCode.UNAUTHORIZED.exception(presented == null
                ? "missing Authorization: Bearer <api key>" : "the API key is not valid");
    }

    /**
     * The request handler of one HTTP server: {@code GET /send} (this exact path) is answered here, every other
     * request by {@code router}. The seed's one-message-per-request publish is the hottest request there is, and
     * vertx-web's routing context (a request wrapper, its forwarded-header parser, sets and maps) plus the walk
     * over every route before it cost more than the rest of its HTTP handling. The answer is the router's: same
     * checks in the same order (shutdown, API key), same handler, same error rendering ({@code SendShortcutTest}).
     * So is the seed's {@code POST /send} with a form ({@link #sendFormWithoutRouter}). Other spellings
     * ({@code /send/}, {@code HEAD}, a {@code POST} that {@link PlainForm#accepts} leaves) still go through the router.
     */
    public Handler<HttpServerRequest> withSendShortcut(Router router) {
        return request -> {
            if (request.method() == HttpMethod.GET && isSend(request)) {
                sendWithoutRouter(request);
            } else if (request.method() == HttpMethod.POST && isSend(request)
                    && PlainForm.accepts(request, maxBodySize)) {
                sendFormWithoutRouter(request);
            } else {
                router.handle(request);
            }
        };
    }

    /**
     * Whether the request's path is {@code /send}: read off the URI for its usual spellings ({@code /send},
     * {@code /send?…}, whose path Vert.x reads as the part before the first {@code ?}) without the path's String
     * that {@code request.path()} cuts out of it; any other spelling asks Vert.x.
     */
    private static boolean isSend(HttpServerRequest request) {
        String uri = request.uri();
        if (uri.startsWith("/send") && (uri.length() == 5 || uri.charAt(5) == '?')) {
            return true;
        }
        return "/send".equals(request.path());
    }

    /**
     * The seed's {@code POST /send} with a form body ({@link PlainForm}: a form with a Content-Length within the body
     * limit), answered without the router: its routing context, {@code BodyHandler}'s body buffer and Netty's form
     * decoder cost more than the rest of the request (7,073 allocated bytes per request before, 3,400 after, JFR on
     * the Go load generator's form mode). Same checks in the router's
     * order (a malformed query escape, shutdown, API key, then the body), the same reading of the form, the same
     * answers and errors ({@code SendFormShortcutTest}).
     */
    private void sendFormWithoutRouter(HttpServerRequest request) {
        try {
            QueryParams.requireWellFormed(request.uri());
            HeraldException refused = servingAndApiKeyRefusal(request);
            if (refused != null) {
                ErrorRenderer.render(request, refused);
                return;
            }
        } catch (HeraldException e) {
            ErrorRenderer.render(request, e);
            return;
        }
        PlainForm.read(request, SEND_PARAMS, new SendWithoutRouter(request));
    }

    private void sendWithoutRouter(HttpServerRequest request) {
        try {
            QueryParams.requireWellFormed(request.uri()); // the router's first check, before the API key's
            HeraldException refused = servingAndApiKeyRefusal(request);
            if (refused != null) {
                ErrorRenderer.render(request, refused);
                return;
            }
            new SendWithoutRouter(request).read(null);
        } catch (HeraldException e) {
            ErrorRenderer.render(request, e);
        } catch (RuntimeException e) { // what the router's failure handler does with a handler's stray exception
            ErrorRenderer.renderUnexpected(request, request.path(), e);
        }
    }

    /**
     * Answers a seed's {@code /send} taken off the router as the router would: the publish timed into
     * {@code herald.publish.latency} (as a {@link Timer.Sample} times it: {@link System#nanoTime} at both ends), its
     * frames into the delivery latency, a stray failure rendered as the router's failure handler renders it. One
     * object per request is every part {@link Replies#async} asks for (the operation, the failure handler, the
     * timer's stop) and the form's reader: five lambdas and a sample before.
     */
    private final class SendWithoutRouter implements PlainForm.Fields, Supplier<CompletableFuture<PushCenter.Published>>,
            Runnable, Consumer<Throwable> {
        private final HttpServerRequest request;
        private String[] form;
        private long start;

        SendWithoutRouter(HttpServerRequest request) {
            this.request = request;
        }

        /** Publishes, with {@code form} the form body's fields (null: a {@code GET}, everything in the query). */
        @Override
        public void read(String[] form) {
            this.form = form;
            this.start = System.nanoTime();
            Replies.async(request, this, this, ApiRoutes::published, this);
        }

        /** The operation: the publish, its frames timed when sampled. */
        @Override
        public CompletableFuture<PushCenter.Published> get() {
            deliveryLatency.begin();
            try {
                return sendForm(request, form);
            } finally {
                DeliveryLatency.end();
            }
        }

        /** Done: the publish timed. */
        @Override
        public void run() {
            publishTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }

        /** A stray failure of the publish. */
        @Override
        public void accept(Throwable failure) {
            ErrorRenderer.renderUnexpected(request, request.path(), failure);
        }
    }

    /** The seed's {@code GET /send}: the same as {@link #send}, its query read without Vert.x's parameter map. */
    private void sendQuery(RoutingContext ctx) {
        timed(ctx, () -> sendQuery(ctx.request()), ApiRoutes::published);
    }

    private CompletableFuture<PushCenter.Published> sendQuery(HttpServerRequest request) {
        String[] params = QueryParams.first(request, SEND_PARAMS);
        return center.send(params[0], params[1], !"false".equalsIgnoreCase(params[2]), request.getHeader(IDEMPOTENCY_KEY));
    }

    /** {@code POST /send}: parameters in the query or a form body (the query wins, as with {@code getParam}). */
    private void send(RoutingContext ctx) {
        timed(ctx, () -> sendForm(ctx.request(), ctx.request().isExpectMultipart()
                ? PlainForm.first(ctx.request().formAttributes(), SEND_PARAMS) : null), ApiRoutes::published);
    }

    /** {@code form}: the first value of each of {@link #SEND_PARAMS} in the form body (null: no form). */
    private CompletableFuture<PushCenter.Published> sendForm(HttpServerRequest request, String[] form) {
        String[] params = QueryParams.first(request, SEND_PARAMS);
        for (int i = 0; i < params.length && form != null; i++) {
            if (params[i] == null) {
                params[i] = form[i];
            }
        }
        return center.send(params[0], params[1], !"false".equalsIgnoreCase(params[2]), request.getHeader(IDEMPOTENCY_KEY));
    }

    private void publish(RoutingContext ctx) {
        timed(ctx, () -> center.publishJson(jsonBody(ctx), idempotencyKey(ctx)), ApiRoutes::published);
    }

    private static String idempotencyKey(RoutingContext ctx) {
        return ctx.request().getHeader(IDEMPOTENCY_KEY);
    }

    private void publishBatch(RoutingContext ctx) {
        timed(ctx, () -> center.publishBatchJson(jsonBody(ctx), maxBatch), results -> Reply.encoded(200, batchBody(results)));
    }

    /**
     * {@code {"results":[…]}} written straight as bytes: the same JSON as {@link #publishedBody} per entry,
     * without a {@link JsonObject} (a map and its entries) per message, nor a String to encode afterwards.
     * Ids are ULIDs (ASCII, nothing to escape); errors, which carry free text, go through
     * {@link ErrorRenderer#body}.
     */
    static Buffer batchBody(java.util.List<PushCenter.BatchResult> results) {
        Buffer out = Buffer.buffer(16 + 48 * results.size());
        ascii(out, "{\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            if (i > 0) {
                out.appendByte((byte) ',');
            }
            PushCenter.BatchResult r = results.get(i);
            if (r.error() != null) {
                out.appendString(ErrorRenderer.body(r.error()).encode());
                continue;
            }
            appendPublished(out, r.published());
        }
        ascii(out, "]}");
        return out;
    }

    /**
     * {@code {"id":…,"delivered":n}} (plus {@code "queued":true} / {@code "duplicate":true} when so), the same JSON
     * a {@link JsonObject} with these fields in this order encodes to. Ids are ULIDs: ASCII, nothing to escape.
     */
    private static void appendPublished(Buffer out, PushCenter.Published p) {
        ascii(out, "{\"id\":\"");
        ascii(out, p.id());
        ascii(out, "\",\"delivered\":");
        if (p.delivered() >= 0 && p.delivered() < 10) {
            out.appendByte((byte) ('0' + p.delivered()));
        } else {
            ascii(out, Integer.toString(p.delivered()));
        }
        if (p.queued()) {
            ascii(out, ",\"queued\":true");
        }
        if (p.duplicate()) {
            ascii(out, ",\"duplicate\":true");
        }
        out.appendByte((byte) '}');
    }

    /** Appends text known to be ASCII, byte by byte (no encoded copy of it). */
    private static void ascii(Buffer out, String text) {
        for (int i = 0; i < text.length(); i++) {
            out.appendByte((byte) text.charAt(i));
        }
    }

    /** 200 when live connections got it (or it was a repeat), 202 when it waits in the store for offline recipients. */
    private static Reply published(PushCenter.Published p) {
        return Reply.encoded(p.queued() ? 202 : 200, publishedBody(p));
    }

    /** The answer of one publish, written as bytes (no {@link JsonObject}, no Jackson, no String to encode). */
    static Buffer publishedBody(PushCenter.Published p) {
        Buffer out = Buffer.buffer(64);
        appendPublished(out, p);
        return out;
    }

    private void receipt(RoutingContext ctx) {
        async(ctx, () -> center.receipt(ctx.pathParam("id")), r -> new Reply(200, ReceiptJson.receipt(r)));
    }

    private void userMessages(RoutingContext ctx) {
        async(ctx, () -> {
            String[] params = QueryParams.first(ctx.request(), "since", "limit");
            return center.userMessages(ctx.pathParam("uid"), params[0], limit(params[1]));
        }, page -> new Reply(200, ReceiptJson.page(page, new Target.User(ctx.pathParam("uid")))));
    }

    /** {@code limit}: 1-1000, default 100. */
    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ErrorCode.INVALID_REQUEST.exception("limit must be a number from 1 to " + MAX_PAGE);
    }

    /** This node's counters at the top (a single node's answer), every live node's in {@code nodes}, their sum in {@code total}. */
    private void stats(RoutingContext ctx) {
        JsonObject thisNode = StatsJson.of(center.stats(), NetworkTransport.of(ctx.vertx()).name());
        async(ctx, () -> views.stats(thisNode), body -> new Reply(200, body));
    }

    /** The user's connections on every live node, each with its node id. */
    private void presence(RoutingContext ctx) {
        async(ctx, () -> views.presence(ctx.pathParam("uid")), body -> new Reply(200, body));
    }

    /** Closes the user's connections on every node; {@code disconnected} counts those reached. */
    private void kick(RoutingContext ctx) {
        async(ctx, () -> views.kick(ctx.pathParam("uid"), QueryParams.get(ctx.request(), "connection")),
                n -> new Reply(200, new JsonObject().put("disconnected", n)));
    }

    /** A publish operation: also recorded in {@code herald.publish.latency} (until its answer is ready). */
    private <T> void timed(RoutingContext ctx, Supplier<CompletableFuture<T>> operation, Function<T, Reply> render) {
        Timer.Sample sample = Timer.start();
        async(ctx, operation, render, () -> sample.stop(publishTimer));
    }
}
