package dev.herald.server.pusher;

import io.vertx.core.json.JsonObject;

/**
 * What a cluster-wide change of a channel tells the others: {@code member_added} / {@code member_removed} to the
 * channel's subscribers (through the {@link ChannelDirectory}: every node's, or this node's alone) and the matching
 * webhooks, whether a socket on this node made the change or the reaper found it with a node that died.
 * Thread-safe; never blocks.
 */
final class ChannelEvents implements RedisChannelDirectory.Listener {
    private final ChannelDirectory directory;
    /** {@code null} when no pusher.webhook-url is set. */
    private final PusherWebhooks webhooks;

    ChannelEvents(ChannelDirectory directory, PusherWebhooks webhooks) {
        this.directory = directory;
        this.webhooks = webhooks;
    }

    /** The user became a member cluster-wide; {@code exceptSocket} (its connection) is not told, or {@code null}. */
    void memberAdded(String channel, String userId, JsonObject info, String exceptSocket) {
        directory.announce(channel, new PusherEvent("pusher_internal:member_added",
                new JsonObject().put("user_id", userId).put("user_info", info).encode(), exceptSocket, null));
        if (webhooks != null) {
            webhooks.memberAdded(channel, userId);
        }
    }

    /** The user stopped being a member cluster-wide. */
    void memberRemoved(String channel, String userId, String exceptSocket) {
        directory.announce(channel, new PusherEvent("pusher_internal:member_removed",
                new JsonObject().put("user_id", userId).encode(), exceptSocket, null));
        if (webhooks != null) {
            webhooks.memberRemoved(channel, userId, () -> directory.userIds(channel).thenApply(ids -> !ids.contains(userId)));
        }
    }

    /** The channel's first subscription on this node (the webhook latch tells whether it is the cluster's first). */
    void occupied(String channel) {
        if (webhooks != null) {
            webhooks.channelOccupied(channel);
        }
    }

    /** The channel's last subscription on some node went: vacated if no node holds one after the delay. */
    void maybeVacated(String channel) {
        if (webhooks != null) {
            webhooks.channelVacated(channel, () -> directory.subscriptionCount(channel).thenApply(n -> n == 0));
        }
    }

    @Override
    public void memberGone(String channel, String userId) {
        memberRemoved(channel, userId, null);
    }

    @Override
    public void channelLost(String channel) {
        maybeVacated(channel);
    }

    @Override
    public void memberBack(String channel, String userId, JsonObject info) {
        memberAdded(channel, userId, info, null);
    }
}
