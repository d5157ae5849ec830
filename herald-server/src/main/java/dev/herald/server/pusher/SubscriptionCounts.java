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
 * channels are left out: their member events say more. Thread-safe.
 */
final class SubscriptionCounts {
    static final long DEBOUNCE_MILLIS = 1000;

    private final Vertx vertx;
    private final PusherChannels channels;
    /** {@code null} without webhooks. */
    private final PusherWebhooks webhooks;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    SubscriptionCounts(Vertx vertx, PusherChannels channels, PusherWebhooks webhooks) {
        this.vertx = vertx;
        this.channels = channels;
        this.webhooks = webhooks;
    }

    void changed(String channel) {
        if (ChannelNames.kind(channel) == ChannelNames.Kind.PRESENCE || !pending.add(channel)) {
            return;
        }
        vertx.setTimer(DEBOUNCE_MILLIS, id -> {
            pending.remove(channel);
            int count = channels.subscriptionCount(channel);
            if (count > 0) {
                channels.sendToOthers(channel, PusherFrames.event("pusher_internal:subscription_count", channel,
                        new JsonObject().put("subscription_count", count)), null);
            }
            if (webhooks != null) {
                webhooks.subscriptionCount(channel, count);
            }
        });
    }
}
