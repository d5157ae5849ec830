package dev.herald.server.pusher;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pusher's subscription counting ({@code pusher.subscription-count}): when the number of subscriptions of a channel
 * changes, its subscribers get {@code pusher_internal:subscription_count} (pusher-js keeps it in
 * {@code channel.subscriptionCount}) and a {@code subscription_count} webhook goes out. Changes are gathered for
 * {@link #DEBOUNCE_MILLIS}, so a burst of joins costs one event per channel, with the count at its end. Presence
 * channels are left out: their member events say more. In a cluster on Redis the count is the cluster's and the
 * event goes to every node's subscribers, sent by the node whose subscriptions changed (one event and one webhook
 * per change, not one per node). Thread-safe.
 */
final class SubscriptionCounts {
    static final long DEBOUNCE_MILLIS = 1000;

    private final Vertx vertx;
    private final ChannelDirectory directory;
    /** {@code null} without webhooks. */
    private final PusherWebhooks webhooks;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    SubscriptionCounts(Vertx vertx, ChannelDirectory directory, PusherWebhooks webhooks) {
        this.vertx = vertx;
        this.directory = directory;
        this.webhooks = webhooks;
    }

    void changed(String channel) {
        if (ChannelNames.kind(channel) == ChannelNames.Kind.PRESENCE || !pending.add(channel)) {
            return;
        }
        vertx.setTimer(DEBOUNCE_MILLIS, id -> {
            pending.remove(channel);
            directory.subscriptionCount(channel).thenAccept(count -> {
                if (count > 0) {
                    directory.announce(channel, new PusherEvent("pusher_internal:subscription_count",
                            new JsonObject().put("subscription_count", count).encode(), null, null));
                }
                if (webhooks != null) {
                    webhooks.subscriptionCount(channel, count);
                }
            });
        });
    }
}
