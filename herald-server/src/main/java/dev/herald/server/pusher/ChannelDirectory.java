package dev.herald.server.pusher;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What the Pusher endpoint must agree on with every node that serves the same app: presence members, subscription
 * counts, occupied channels, the last event of cache channels, and which webhooks were sent. {@link PusherChannels}
 * keeps this node's part (its sockets, the users behind them); the directory answers for the whole push center:
 * {@link LocalChannelDirectory} when this node is the whole truth (a single node, or a cluster on the PostgreSQL
 * broker, where Pusher state stays per node), {@link RedisChannelDirectory} when the nodes share Redis.
 *
 * <p>The node tells the directory about its own transitions only (a user's first / last connection to a channel on
 * this node, this node's subscription count of a channel); the directory answers with the cluster-wide view and
 * whether the transition was also the cluster's. Futures complete on any thread and never fail: with Redis away
 * they answer this node's part, as {@code ClusterViews} does. Thread-safe.
 */
interface ChannelDirectory extends AutoCloseable {
    /**
     * What a user's first connection to a presence channel on this node means cluster-wide.
     *
     * @param presence the {@code {"presence":{ids,hash,count}}} to send in {@code subscription_succeeded}
     * @param first    whether no other node holds the user in the channel: {@code member_added} is due
     */
    record MemberJoin(JsonObject presence, boolean first) { }

    /**
     * A connection of the user subscribed the presence channel on this node; {@code local} is this node's snapshot
     * and {@code newHere} whether it is the user's first connection to it on this node.
     */
    CompletableFuture<MemberJoin> memberJoined(String channel, String userId, JsonObject userInfo, JsonObject local, boolean newHere);

    /** A user's last connection to the presence channel on this node left: whether it was the cluster's last too. */
    CompletableFuture<Boolean> memberLeft(String channel, String userId);

    /** This node's subscriptions of the channel changed; the directory reads the count when it writes it. */
    void subscriptionsChanged(String channel);

    /** Subscriptions of the channel on every node. */
    CompletableFuture<Integer> subscriptionCount(String channel);

    /** The presence channel's members on every node, in the order they came (per node). */
    CompletableFuture<List<String>> userIds(String channel);

    /** Channels occupied on some node whose names pass {@code filter}, sorted. */
    CompletableFuture<List<String>> occupied(Predicate<String> filter);

    /** Keeps {@code event} as the cache channel's last event (for {@link PusherChannels#CACHE_TTL_MILLIS}). */
    void remember(String channel, PusherEvent event);

    /** The cache channel's last event, or {@code null}. */
    CompletableFuture<PusherEvent> cachedEvent(String channel);

    /**
     * Sends a Pusher-internal event ({@code member_added}, {@code member_removed}, {@code subscription_count}) to the
     * channel's subscribers on every node the directory covers, but the event's {@link PusherEvent#excludeSocket}.
     */
    void announce(String channel, PusherEvent event);

    /**
     * Webhook latches, so a state change is reported once however many nodes see it: {@code set} answers true to the
     * one caller that raised {@code latch}, {@code clear} to the one that lowered it.
     */
    CompletableFuture<Boolean> set(String latch);

    CompletableFuture<Boolean> clear(String latch);

    /** Starts background work (heartbeat checks, reaping the state of nodes that died). */
    default void start() { }

    /** Stops at once without a goodbye, as a crash would: the state of this node is left to expire. */
    default void halt() { }

    @Override
    default void close() { }
}
