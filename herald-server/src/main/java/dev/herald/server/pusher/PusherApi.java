package dev.herald.server.pusher;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.UserIds;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.config.PusherConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * Pusher's HTTP API under {@code /apps/{appId}}, every request signed ({@link RequestSigning}): trigger
 * ({@code POST events}, {@code POST batch_events}), channel reads ({@code GET channels}, {@code GET channels/{name}},
 * {@code GET channels/{name}/users}) and {@code POST users/{id}/terminate_connections}. Statuses as Pusher documents
 * them: 200, 400 (invalid request), 401 (signature), 413 (data too large); an unknown app id is 404. Bodies of errors
 * are Herald's JSON envelope. Channel reads answer what the {@link ChannelDirectory} knows: every node's subscribers in
 * a cluster on Redis, this node's otherwise.
 */
public final class PusherApi {
    /** Pusher's limits: channels per trigger and events per batch. */
    static final int MAX_CHANNELS = 100;
    static final int MAX_BATCH = 10;
    static final int MAX_EVENT_NAME = 200;

    private final PusherConfig config;
    private final RequestSigning signing;
    private final ChannelDirectory directory;
    private final PusherPublisher publisher;
    private final BiFunction<String, String, CompletableFuture<Integer>> kick;
    private final Clock clock;
    private final BooleanSupplier draining;
    private final long maxBodySize;

    PusherApi(PusherConfig config, ChannelDirectory directory, PusherPublisher publisher, Clock clock,
              BooleanSupplier draining, long maxBodySize, BiFunction<String, String, CompletableFuture<Integer>> kick) {
        this.config = config;
        this.signing = new RequestSigning(new PusherSignatures(config.key(), config.secret()));
        this.directory = directory;
        this.publisher = publisher;
        this.kick = kick;
        this.clock = clock;
        this.draining = draining;
        this.maxBodySize = maxBodySize;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize).setHandleFileUploads(false).setMergeFormAttributes(false);
        router.route("/apps/:appId/*").handler(body).handler(this::authenticate);
        router.post("/apps/:appId/events").handler(ctx -> answer(ctx, this::events));
        router.post("/apps/:appId/batch_events").handler(ctx -> answer(ctx, this::batch));
        router.get("/apps/:appId/channels").handler(ctx -> answer(ctx, this::channelList));
        router.get("/apps/:appId/channels/:channel").handler(ctx -> answer(ctx, this::channel));
        router.get("/apps/:appId/channels/:channel/users").handler(ctx -> answer(ctx, this::users));
        router.post("/apps/:appId/users/:userId/terminate_connections").handler(ctx -> answer(ctx, this::terminate));
    }

    private void authenticate(RoutingContext ctx) {
        try {
            if (draining.getAsBoolean()) {
                throw ErrorCode.SHUTTING_DOWN.exception();
            }
            if (!config.appId().equals(ctx.pathParam("appId"))) {
                throw ErrorCode.NOT_FOUND.exception("no Pusher app with this id on this server (pusher.app-id)");
            }
            byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            ctx.put("pusher.params", signing.verify(ctx.request().method().name(), ctx.request().uri(), body, clock.millis() / 1000));
            ctx.next();
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
        }
    }

    private interface Handler {
        CompletableFuture<JsonObject> handle(RoutingContext ctx);
    }

    private static void answer(RoutingContext ctx, Handler handler) {
        CompletableFuture<JsonObject> reply;
        try {
            reply = handler.handle(ctx);
        } catch (HeraldException e) {
            ErrorRenderer.render(ctx, e);
            return;
        }
        // the request's own context: the reply may complete on another (the directory's Redis context), which must not write
        io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
        reply.whenComplete((json, error) -> context.runOnContext(v -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HeraldException he) {
                ErrorRenderer.render(ctx, he);
            } else if (cause != null) {
                ctx.fail(cause);
            } else {
                ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(json.encode());
            }
        }));
    }

    private static JsonObject bodyObject(RoutingContext ctx) {
        try {
            JsonObject json = ctx.body().asJsonObject();
            if (json == null) {
                throw ErrorCode.INVALID_JSON.exception("the body must be a JSON object");
            }
            return json;
        } catch (DecodeException | ClassCastException e) {
            throw ErrorCode.INVALID_JSON.exception("the body must be a JSON object");
        }
    }

    /** One event to trigger, validated. */
    private record Trigger(List<String> channels, PusherEvent event, Set<String> info) { }

    private Trigger trigger(JsonObject body, boolean batchEntry) {
        if (!(body.getValue("name") instanceof String name) || name.isEmpty() || name.length() > MAX_EVENT_NAME) {
            throw ErrorCode.INVALID_REQUEST.exception("name: a string of 1-" + MAX_EVENT_NAME + " characters");
        }
        if (!(body.getValue("data") instanceof String data)) {
            throw ErrorCode.INVALID_REQUEST.exception("data: a string (JSON-encode objects first, as the Pusher SDKs do)");
        }
        if (data.getBytes(StandardCharsets.UTF_8).length > config.maxEventBytes()) {
            throw ErrorCode.PAYLOAD_TOO_LARGE.exception("data is larger than " + config.maxEventBytes() + " bytes (pusher.max-event-size)");
        }
        List<String> names = new ArrayList<>();
        if (body.getValue("channel") instanceof String one) {
            names.add(one);
        }
        if (!batchEntry && body.getValue("channels") instanceof JsonArray many) {
            for (Object o : many) {
                if (!(o instanceof String s)) {
                    throw ErrorCode.INVALID_REQUEST.exception("channels: an array of channel names");
                }
                names.add(s);
            }
        }
        if (names.isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception(batchEntry ? "channel: a channel name" : "channels: 1-" + MAX_CHANNELS + " channel names");
        }
        if (names.size() > MAX_CHANNELS) {
            throw ErrorCode.INVALID_REQUEST.exception("channels: at most " + MAX_CHANNELS + " per event");
        }
        for (String channel : names) {
            boolean valid = ChannelNames.kind(channel) == ChannelNames.Kind.USER
                    ? UserIds.isValid(ChannelNames.userOf(channel)) : ChannelNames.isValid(channel);
            if (!valid) {
                throw ErrorCode.INVALID_REQUEST.exception("channel name not accepted: 1-128 characters of A-Z a-z 0-9 _ - @ . "
                        + "(or #server-to-user-{id})");
            }
        }
        String socketId = null;
        if (body.getValue("socket_id") != null) {
            if (!(body.getValue("socket_id") instanceof String s) || !s.matches("\\d+\\.\\d+")) {
                throw ErrorCode.INVALID_REQUEST.exception("socket_id: the sender's socket id, digits.digits");
            }
            socketId = s;
        }
        Set<String> info = body.getValue("info") instanceof String i ? Set.copyOf(Arrays.asList(i.split(","))) : Set.of();
        for (String channel : names) {
            if (info.contains("user_count") && ChannelNames.kind(channel) != ChannelNames.Kind.PRESENCE) {
                throw ErrorCode.INVALID_REQUEST.exception("info=user_count is only for presence channels");
            }
        }
        return new Trigger(names, new PusherEvent(name, data, socketId, null), info);
    }

    private CompletableFuture<JsonObject> channelsInfo(Trigger trigger) {
        JsonObject out = new JsonObject();
        CompletableFuture<?> all = CompletableFuture.completedFuture(null);
        for (String channel : trigger.channels()) {
            JsonObject attributes = new JsonObject();
            out.put(channel, attributes);
            if (trigger.info().contains("user_count")) {
                all = all.thenCompose(v -> directory.userIds(channel).thenAccept(ids -> attributes.put("user_count", ids.size())));
            }
            if (trigger.info().contains("subscription_count")) {
                all = all.thenCompose(v -> directory.subscriptionCount(channel).thenAccept(n -> attributes.put("subscription_count", n)));
            }
        }
        return all.thenApply(v -> out);
    }

    private CompletableFuture<JsonObject> events(RoutingContext ctx) {
        Trigger trigger = trigger(bodyObject(ctx), false);
        return publisher.publish(trigger.channels(), trigger.event()).thenCompose(published ->
                trigger.info().isEmpty() ? CompletableFuture.completedFuture(new JsonObject())
                        : channelsInfo(trigger).thenApply(info -> new JsonObject().put("channels", info)));
    }

    private CompletableFuture<JsonObject> batch(RoutingContext ctx) {
        if (!(bodyObject(ctx).getValue("batch") instanceof JsonArray entries) || entries.isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception("batch: an array of 1-" + MAX_BATCH + " events");
        }
        if (entries.size() > MAX_BATCH) {
            throw ErrorCode.BATCH_TOO_LARGE.exception("batch: at most " + MAX_BATCH + " events");
        }
        List<Trigger> triggers = new ArrayList<>();
        for (Object entry : entries) {
            if (!(entry instanceof JsonObject o)) {
                throw ErrorCode.INVALID_REQUEST.exception("batch: an array of event objects");
            }
            triggers.add(trigger(o, true));
        }
        CompletableFuture<?>[] publishing = new CompletableFuture<?>[triggers.size()];
        for (int i = 0; i < triggers.size(); i++) {
            publishing[i] = publisher.publish(triggers.get(i).channels(), triggers.get(i).event()); // in order
        }
        return CompletableFuture.allOf(publishing).thenCompose(v -> {
            if (triggers.stream().allMatch(t -> t.info().isEmpty())) {
                return CompletableFuture.completedFuture(new JsonObject());
            }
            JsonArray info = new JsonArray();
            CompletableFuture<?> all = CompletableFuture.completedFuture(null);
            for (Trigger t : triggers) {
                all = all.thenCompose(x -> channelsInfo(t).thenAccept(i -> info.add(i.getJsonObject(t.channels().get(0)))));
            }
            return all.thenApply(x -> new JsonObject().put("batch", info));
        });
    }

    private static Set<String> info(RoutingContext ctx) {
        @SuppressWarnings("unchecked")
        Map<String, String> params = (Map<String, String>) ctx.get("pusher.params");
        String info = params.get("info");
        return info == null ? Set.of() : Set.copyOf(Arrays.asList(info.split(",")));
    }

    private CompletableFuture<JsonObject> channelList(RoutingContext ctx) {
        @SuppressWarnings("unchecked")
        Map<String, String> params = (Map<String, String>) ctx.get("pusher.params");
        String prefix = params.getOrDefault("filter_by_prefix", "");
        Set<String> info = info(ctx);
        if (info.contains("user_count") && !prefix.startsWith("presence-")) {
            throw ErrorCode.INVALID_REQUEST.exception("info=user_count needs filter_by_prefix=presence-");
        }
        JsonObject list = new JsonObject();
        return directory.occupied(n -> n.startsWith(prefix)).thenCompose(names -> {
            CompletableFuture<?> all = CompletableFuture.completedFuture(null);
            for (String name : names) {
                JsonObject attributes = new JsonObject();
                list.put(name, attributes);
                if (info.contains("user_count")) {
                    all = all.thenCompose(v -> directory.userIds(name).thenAccept(ids -> attributes.put("user_count", ids.size())));
                }
            }
            return all.thenApply(v -> new JsonObject().put("channels", list));
        });
    }

    private String channelParam(RoutingContext ctx) {
        String channel = ctx.pathParam("channel");
        if (!ChannelNames.isValid(channel)) {
            throw ErrorCode.INVALID_REQUEST.exception("not a channel name Herald serves");
        }
        return channel;
    }

    private CompletableFuture<JsonObject> channel(RoutingContext ctx) {
        String channel = channelParam(ctx);
        Set<String> info = info(ctx);
        boolean presence = ChannelNames.kind(channel) == ChannelNames.Kind.PRESENCE;
        if (info.contains("user_count") && !presence) {
            throw ErrorCode.INVALID_REQUEST.exception("info=user_count is only for presence channels");
        }
        JsonObject out = new JsonObject();
        CompletableFuture<?> all = directory.subscriptionCount(channel).thenAccept(subscriptions -> {
            out.put("occupied", subscriptions > 0);
            if (info.contains("subscription_count")) {
                out.put("subscription_count", subscriptions);
            }
        });
        if (info.contains("user_count")) {
            all = all.thenCompose(v -> directory.userIds(channel).thenAccept(ids -> out.put("user_count", ids.size())));
        }
        if (info.contains("cache") && ChannelNames.isCache(channel)) {
            all = all.thenCompose(v -> directory.cachedEvent(channel).thenAccept(last -> {
                if (last != null) {
                    out.put("cache", new JsonObject().put("event", last.name()).put("data", last.data()));
                }
            }));
        }
        return all.thenApply(v -> out);
    }

    private CompletableFuture<JsonObject> users(RoutingContext ctx) {
        String channel = channelParam(ctx);
        if (ChannelNames.kind(channel) != ChannelNames.Kind.PRESENCE) {
            throw ErrorCode.INVALID_REQUEST.exception("users are listed for presence channels only");
        }
        return directory.userIds(channel).thenApply(ids -> {
            JsonArray users = new JsonArray();
            ids.forEach(id -> users.add(new JsonObject().put("id", id)));
            return new JsonObject().put("users", users);
        });
    }

    /**
     * Closes every connection of the user, Pusher and Herald alike (one user, one push center), with 4009 / 4004, on
     * every node the cluster views reach.
     */
    private CompletableFuture<JsonObject> terminate(RoutingContext ctx) {
        String userId = ctx.pathParam("userId");
        if (!UserIds.isValid(userId)) {
            throw ErrorCode.INVALID_REQUEST.exception("not a user id");
        }
        return kick.apply(userId, null).thenApply(reached -> new JsonObject());
    }
}
