package dev.herald.server.sse;

import dev.herald.core.auth.Principal;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.MessageIds;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.api.Replies;
import dev.herald.server.net.ConnectQuery;
import dev.herald.server.net.OriginPolicy;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /api/v1/users/{uid}/acks}: the {@code ack} and {@code read} frames of a WebSocket, for clients that
 * receive over SSE (which cannot send). Body {@code {"ids":["<message id>",…],"status":"acked"|"read"}} (status
 * optional, {@code acked} by default); authenticated as the user themself, like {@code /ws} ({@link ClientCredentials}:
 * the user's token, or in dev mode nothing more than the path's uid). Recorded exactly as the frames are
 * ({@link RecipientStore#acknowledge}: ids of messages not addressed to the user are ignored and counted), and
 * answered {@code 202 {"accepted":n,"status":…}} once queued for the store.
 *
 * <p>A page on another origin may call it when {@code ws.allowed-origins} allows that origin (as for {@code /ws} and
 * the event stream): its preflight ({@code OPTIONS}) is answered, and the answer carries
 * {@code Access-Control-Allow-Origin}. A refused origin is {@code 403 origin_not_allowed}.
 */
public final class UserAcks {
    /** Most ids one request may carry. */
    static final int MAX_IDS = 1_000;

    private final ClientCredentials credentials;
    private final RecipientStore recipientStore;
    private final BooleanSupplier draining;
    private final OriginPolicy originPolicy;

    public UserAcks(dev.herald.core.auth.Authenticator authenticator, RecipientStore recipientStore, BooleanSupplier draining,
                    java.util.List<String> allowedOrigins) {
        this.credentials = new ClientCredentials(authenticator);
        this.originPolicy = new OriginPolicy(allowedOrigins, authenticator.devMode());
        this.recipientStore = recipientStore;
        this.draining = draining;
    }

    /** {@code OPTIONS}: the CORS preflight of a cross-origin POST (it sends Authorization and a JSON body). */
    public void preflight(RoutingContext ctx) {
        try {
            allowOrigin(ctx);
            ctx.response().setStatusCode(204)
                    .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "POST")
                    .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type")
                    .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600").end();
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
        }
    }

    /** Refuses an Origin that {@code ws.allowed-origins} does not allow; names an allowed one in the answer. */
    private void allowOrigin(RoutingContext ctx) throws HeraldException {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (!originPolicy.allows(origin, ctx.request().getHeader(HttpHeaders.HOST))) {
            throw ErrorCode.ORIGIN_NOT_ALLOWED.exception("this page's origin may not ack here (ws.allowed-origins)");
        }
        if (origin != null) {
            ctx.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin).putHeader(HttpHeaders.VARY, "Origin");
        }
    }

    public void handle(RoutingContext ctx) {
        try {
            if (draining.getAsBoolean()) {
                throw ErrorCode.SHUTTING_DOWN.exception();
            }
            allowOrigin(ctx);
            String uid = ctx.pathParam("uid");
            Principal principal = credentials.principal(ctx.request(), ConnectQuery.parse(ctx.request().query()), uid);
            if (!principal.userId().equals(uid)) {
                throw ErrorCode.FORBIDDEN.exception("a user acks only their own messages: the token is another user's");
            }
            JsonObject body;
            try {
                body = new JsonObject(Replies.jsonBody(ctx));
            } catch (DecodeException | ClassCastException e) {
                throw ErrorCode.INVALID_JSON.exception("the body is not a JSON object");
            }
            DeliveryStatus status = status(body.getValue("status"));
            List<String> ids = ids(body.getValue("ids"));
            recipientStore.acknowledge(uid, ids, status);
            ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                    .end(new JsonObject().put("accepted", ids.size()).put("status", status.wireName()).encode());
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
        }
    }

    private static DeliveryStatus status(Object value) throws HeraldException {
        if (value == null || "acked".equals(value)) {
            return DeliveryStatus.ACKED;
        }
        if ("read".equals(value)) {
            return DeliveryStatus.READ;
        }
        throw ErrorCode.INVALID_REQUEST.exception("status is \"acked\" (the default) or \"read\"");
    }

    private static List<String> ids(Object value) throws HeraldException {
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception("ids is required: [\"<message id>\", …]");
        }
        if (array.size() > MAX_IDS) {
            throw ErrorCode.INVALID_REQUEST.exception("at most " + MAX_IDS + " ids per request");
        }
        List<String> ids = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String id) || !MessageIds.isValid(id)) {
                throw ErrorCode.INVALID_REQUEST.exception("ids[" + i + "] is not a message id");
            }
            ids.add(id);
        }
        return ids;
    }
}
