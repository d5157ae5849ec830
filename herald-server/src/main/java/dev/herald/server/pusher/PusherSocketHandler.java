package dev.herald.server.pusher;

import dev.herald.core.hub.Hub;
import dev.herald.core.message.UserIds;
import dev.herald.core.LogSafe;
import dev.herald.server.config.PusherConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one Pusher connection's frames: ping, subscribe and unsubscribe (with channel auth), sign-in, and client
 * events. Runs on the connection's event loop, one frame at a time. A malformed or refused frame is answered with
 * {@code pusher:error} or {@code pusher:subscription_error} and the connection stays open, as with Pusher.
 */
final class PusherSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(PusherSocketHandler.class);

    private final PusherConnection connection;
    private final PusherChannels channels;
    private final PusherSignatures signatures;
    private final PusherPublisher publisher;
    private final Hub hub;
    private final PusherConfig config;
    /** {@code null} when no pusher.webhook-url is set. */
    private final PusherWebhooks webhooks;
    /** {@code null} when pusher.subscription-count is off. */
    private final SubscriptionCounts counts;
    private final ChannelDirectory directory;
    private final ChannelEvents events;

    PusherSocketHandler(PusherConnection connection, PusherChannels channels, PusherSignatures signatures,
                        PusherPublisher publisher, Hub hub, PusherConfig config, PusherWebhooks webhooks, SubscriptionCounts counts,
                        ChannelDirectory directory, ChannelEvents events) {
        this.directory = directory;
        this.events = events;
        this.webhooks = webhooks;
        this.counts = counts;
        this.connection = connection;
        this.channels = channels;
        this.signatures = signatures;
        this.publisher = publisher;
        this.hub = hub;
        this.config = config;
    }

    void onText(String text) {
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            connection.sendText(PusherFrames.error(null, "frames are JSON objects: {\"event\":…,\"data\":…}"));
            return;
        }
        if (!(frame.getValue("event") instanceof String event)) {
            connection.sendText(PusherFrames.error(null, "a frame needs a string event"));
            return;
        }
        JsonObject data = dataObject(frame.getValue("data"));
        switch (event) {
            case "pusher:ping" -> connection.sendText(PusherFrames.pong());
            case "pusher:pong" -> { }
            case "pusher:subscribe" -> subscribe(data);
            case "pusher:unsubscribe" -> unsubscribe(data == null ? null : data.getValue("channel"));
            case "pusher:signin" -> signin(data);
            default -> {
                if (event.startsWith("client-")) {
                    clientEvent(event, frame.getValue("channel"), frame.getValue("data"));
                } else {
                    connection.sendText(PusherFrames.error(null, "unsupported event: " + LogSafe.value(event)));
                }
            }
        }
    }

    /** pusher-js sends data as an object; other clients send it as a JSON string (Pusher accepts both). */
    private static JsonObject dataObject(Object data) {
        if (data instanceof JsonObject o) {
            return o;
        }
        if (data instanceof String s) {
            try {
                return new JsonObject(s);
            } catch (DecodeException | ClassCastException e) {
                return null;
            }
        }
        return null;
    }

    private void subscribe(JsonObject data) {
        if (data == null || !(data.getValue("channel") instanceof String channel)) {
            connection.sendText(PusherFrames.error(null, "pusher:subscribe needs data.channel"));
            return;
        }
        if (connection.channels().containsKey(channel)) {
            // already subscribed: nothing changes; a presence channel's success would need the member list again, and
            // pusher-js never asks twice on one connection, so only the others are answered (idempotent retries)
            if (ChannelNames.kind(channel) != ChannelNames.Kind.PRESENCE) {
                connection.sendText(PusherFrames.subscriptionSucceeded(channel, new JsonObject()));
            }
            return;
        }
        ChannelNames.Kind kind = ChannelNames.kind(channel);
        if (kind == ChannelNames.Kind.USER) {
            subscribeUserChannel(channel);
            return;
        }
        if (!ChannelNames.isValid(channel)) {
            connection.sendText(PusherFrames.subscriptionError(channel, "InvalidChannelName",
                    "channel names are 1-128 characters of A-Z a-z 0-9 _ - @ . (Herald topic names)", 400));
            return;
        }
        String auth = data.getValue("auth") instanceof String s ? s : null;
        String memberId = null;
        JsonObject memberInfo = null;
        if (kind == ChannelNames.Kind.PRIVATE && !signatures.verifyAuth(auth, PusherSignatures.channelText(connection.socketId(), channel))) {
            refuse(channel, "the auth signature does not match socket_id:channel");
            return;
        }
        if (kind == ChannelNames.Kind.PRESENCE) {
            String channelData = data.getValue("channel_data") instanceof String s ? s : null;
            if (channelData == null || !signatures.verifyAuth(auth, PusherSignatures.presenceText(connection.socketId(), channel, channelData))) {
                refuse(channel, "the auth signature does not match socket_id:channel:channel_data");
                return;
            }
            JsonObject member = dataObject(channelData);
            Object id = member == null ? null : member.getValue("user_id");
            memberId = id instanceof String || id instanceof Number ? String.valueOf(id) : null;
            if (memberId == null || !UserIds.isValid(memberId)) {
                connection.sendText(PusherFrames.subscriptionError(channel, "AuthError", "channel_data needs a user_id", 400));
                return;
            }
            memberInfo = member.getValue("user_info") instanceof JsonObject info ? info : null;
        }
        connection.hold(channel); // from here the channel's events wait for subscription_succeeded
        PusherChannels.Joined joined = channels.subscribe(channel, connection, memberId, memberInfo);
        if (joined.refused()) {
            connection.release(channel, List.of(PusherFrames.subscriptionError(channel, "LimitReached",
                    "the presence channel holds its maximum of " + config.maxPresenceMembers() + " members", 403)));
            return;
        }
        connection.channels().put(channel, memberId == null ? "" : memberId);
        if (connection.isClosed()) { // closed while subscribing: its close may have missed this channel
            connection.release(channel, List.of());
            leave(channel);
            return;
        }
        directory.subscriptionsChanged(channel);
        if (counts != null) {
            counts.changed(channel);
        }
        if (joined.occupied()) {
            events.occupied(channel);
        }
        String member = memberId;
        JsonObject info = memberInfo;
        CompletableFuture<ChannelDirectory.MemberJoin> presence = member == null ? CompletableFuture.completedFuture(null)
                : directory.memberJoined(channel, member, info, joined.presence(), joined.newMember());
        boolean cache = ChannelNames.isCache(channel);
        CompletableFuture<PusherEvent> cached = cache ? directory.cachedEvent(channel) : CompletableFuture.completedFuture(null);
        presence.thenCombine(cached, (join, last) -> {
            if (join != null && join.first()
                    && join.presence().getJsonObject("presence").getInteger("count", 0) > config.maxPresenceMembers()) {
                full(channel, member); // this node had room; the cluster has not
                return null;
            }
            List<String> frames = new ArrayList<>(2);
            frames.add(PusherFrames.subscriptionSucceeded(channel, join == null ? new JsonObject() : join.presence()));
            if (cache) {
                frames.add(last == null ? PusherFrames.cacheMiss(channel) : last.frame(channel));
            }
            connection.release(channel, frames);
            if (join != null && join.first()) {
                events.memberAdded(channel, member, info, connection.socketId());
            }
            if (cache && last == null && webhooks != null) {
                webhooks.cacheMiss(channel);
            }
            return null;
        }).exceptionally(e -> {
            log.warn("pusher subscription to {} not answered: {}", LogSafe.value(channel), LogSafe.value(String.valueOf(e)));
            connection.release(channel, List.of(PusherFrames.subscriptionError(channel, "ServerError", "try again", 500)));
            return null;
        });
    }

    /**
     * Takes back a presence subscription that made the cluster's members exceed {@code pusher.max-presence-members}:
     * the member was never announced, so nothing is announced as it goes. Two users racing on two nodes for the last
     * place may both be refused; both are never admitted past the cap while Redis answers.
     */
    private void full(String channel, String memberId) {
        connection.discard(channel, PusherFrames.subscriptionError(channel, "LimitReached",
                "the presence channel holds its maximum of " + config.maxPresenceMembers() + " members", 403));
        if (connection.channels().remove(channel) == null) {
            return; // closed meanwhile: its close left the channel already
        }
        if (release(channel, memberId).memberLeft()) {
            directory.memberLeft(channel, memberId);
        }
    }

    /** Takes this connection out of the channel's subscribers and tells the counts; a member's leaving is the caller's. */
    private PusherChannels.Left release(String channel, String memberId) {
        PusherChannels.Left left = channels.unsubscribe(channel, connection, memberId);
        directory.subscriptionsChanged(channel);
        if (counts != null) {
            counts.changed(channel);
        }
        if (left.vacated()) {
            events.maybeVacated(channel);
        }
        return left;
    }

    private void refuse(String channel, String why) {
        log.debug("pusher connection {}: subscription to {} refused: {}", connection.socketId(), LogSafe.value(channel), why);
        connection.sendText(PusherFrames.subscriptionError(channel, "AuthError", why, 401));
    }

    /** {@code #server-to-user-{id}}: only the signed-in user's own; the hub already routes that user's messages here. */
    private void subscribeUserChannel(String channel) {
        String user = connection.userId();
        if (user == null || !user.equals(ChannelNames.userOf(channel))) {
            connection.sendText(PusherFrames.subscriptionError(channel, "AuthError",
                    "only the signed-in user may subscribe to its #server-to-user- channel", 403));
            return;
        }
        connection.channels().put(channel, "");
        connection.sendText(PusherFrames.subscriptionSucceeded(channel, new JsonObject()));
    }

    private void unsubscribe(Object channelValue) {
        if (!(channelValue instanceof String channel)) {
            connection.sendText(PusherFrames.error(null, "pusher:unsubscribe needs data.channel"));
            return;
        }
        leave(channel);
    }

    /** Leaves one channel; a presence member's last connection tells the others. */
    void leave(String channel) {
        String memberId = connection.channels().remove(channel);
        if (memberId == null || ChannelNames.kind(channel) == ChannelNames.Kind.USER) {
            return;
        }
        PusherChannels.Left left = release(channel, memberId.isEmpty() ? null : memberId);
        if (left.memberLeft()) {
            String socketId = connection.socketId();
            directory.memberLeft(channel, memberId).thenAccept(last -> {
                if (last) {
                    events.memberRemoved(channel, memberId, socketId);
                }
            });
        }
    }

    /** The connection closed: leaves every channel (members first told) and the hub. */
    void closed() {
        for (String channel : List.copyOf(connection.channels().keySet())) {
            leave(channel);
        }
        hub.remove(connection);
    }

    private void signin(JsonObject data) {
        String auth = data == null ? null : data.getValue("auth") instanceof String s ? s : null;
        String userData = data == null ? null : data.getValue("user_data") instanceof String s ? s : null;
        if (userData == null || !signatures.verifyAuth(auth, PusherSignatures.userText(connection.socketId(), userData))) {
            connection.closeWith(4009, "sign-in refused: the auth signature does not match socket_id::user::user_data");
            return;
        }
        JsonObject user = dataObject(userData);
        Object id = user == null ? null : user.getValue("id");
        if (!(id instanceof String userId) || !UserIds.isValid(userId)) {
            connection.closeWith(4009, "sign-in refused: user_data needs a non-empty string id");
            return;
        }
        if (connection.userId() != null) {
            if (!connection.userId().equals(userId)) {
                connection.sendText(PusherFrames.error(null, "this connection is signed in as another user already"));
            } else {
                connection.sendText(signinSuccess(userData));
            }
            return;
        }
        connection.bind(userId, dev.herald.core.session.Session.Protocol.PUSHER);
        if (hub.add(connection) == Hub.AddResult.TOO_MANY_CONNECTIONS) {
            connection.closeWith(4100, "this user holds its maximum of connections (ws.max-connections-per-user)");
            return;
        }
        if (connection.isClosed()) {
            hub.remove(connection); // closed while signing in: its close ran before the hub held it
            return;
        }
        connection.sendText(signinSuccess(userData));
    }

    private static String signinSuccess(String userData) {
        return PusherFrames.event("pusher:signin_success", null, new JsonObject().put("user_data", userData));
    }

    private void clientEvent(String event, Object channelValue, Object data) {
        if (!(channelValue instanceof String channel) || !connection.channels().containsKey(channel)) {
            connection.sendText(PusherFrames.error(null, "client events go to a channel this connection subscribed"));
            return;
        }
        ChannelNames.Kind kind = ChannelNames.kind(channel);
        if (!config.clientEvents()) {
            connection.sendText(PusherFrames.error(null, "client events are disabled for this app (pusher.client-events)"));
            return;
        }
        if (!kind.authorised() || ChannelNames.isEncrypted(channel)) {
            connection.sendText(PusherFrames.error(null, "client events are allowed on private and presence channels only"));
            return;
        }
        if (!connection.clientEvents().tryAcquire(System.nanoTime())) {
            connection.sendText(PusherFrames.error(4301, "client event rate limit reached (10 per second)"));
            return;
        }
        String text = data instanceof String s ? s : Json.encode(data);
        if (text.getBytes(StandardCharsets.UTF_8).length > config.maxEventBytes()) {
            connection.sendText(PusherFrames.error(null, "event data is larger than " + config.maxEventBytes() + " bytes"));
            return;
        }
        String memberId = connection.channels().get(channel);
        PusherEvent pusherEvent = new PusherEvent(event, text, connection.socketId(),
                kind == ChannelNames.Kind.PRESENCE && !memberId.isEmpty() ? memberId : null);
        if (webhooks != null) {
            webhooks.clientEvent(channel, event, text, connection.socketId(), pusherEvent.userId());
        }
        publisher.publish(List.of(channel), pusherEvent).whenComplete((published, error) -> {
            if (error != null) {
                log.warn("pusher client event on {} not published: {}", LogSafe.value(channel), LogSafe.value(String.valueOf(error.getMessage())));
            }
        });
    }
}
