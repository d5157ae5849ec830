package dev.herald.server.pusher;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The directory of a node that is the whole truth about its Pusher channels: a single node, or a node of a cluster
 * without Redis (the PostgreSQL broker), where presence, counts, the cache and webhooks stay per node while events
 * still cross nodes through the broker. Every answer is this node's {@link PusherChannels}, at once.
 */
final class LocalChannelDirectory implements ChannelDirectory {
    private final PusherChannels channels;
    private final Set<String> latches = ConcurrentHashMap.newKeySet();

    LocalChannelDirectory(PusherChannels channels) {
        this.channels = channels;
    }

    @Override
    public CompletableFuture<MemberJoin> memberJoined(String channel, String userId, JsonObject userInfo, JsonObject local,
                                                      boolean newHere) {
        return CompletableFuture.completedFuture(new MemberJoin(local, newHere));
    }

    @Override
    public CompletableFuture<Boolean> memberLeft(String channel, String userId) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void subscriptionsChanged(String channel) { }

    @Override
    public CompletableFuture<Integer> subscriptionCount(String channel) {
        return CompletableFuture.completedFuture(channels.subscriptionCount(channel));
    }

    @Override
    public CompletableFuture<List<String>> userIds(String channel) {
        return CompletableFuture.completedFuture(channels.userIds(channel));
    }

    @Override
    public CompletableFuture<List<String>> occupied(Predicate<String> filter) {
        return CompletableFuture.completedFuture(channels.occupied(filter));
    }

    @Override
    public void remember(String channel, PusherEvent event) {
        channels.remember(channel, event);
    }

    @Override
    public CompletableFuture<PusherEvent> cachedEvent(String channel) {
        return CompletableFuture.completedFuture(channels.cachedEvent(channel));
    }

    @Override
    public void announce(String channel, PusherEvent event) {
        channels.deliverInternal(channel, event);
    }

    @Override
    public CompletableFuture<Boolean> set(String latch) {
        return CompletableFuture.completedFuture(latches.add(latch));
    }

    @Override
    public CompletableFuture<Boolean> clear(String latch) {
        return CompletableFuture.completedFuture(latches.remove(latch));
    }
}
