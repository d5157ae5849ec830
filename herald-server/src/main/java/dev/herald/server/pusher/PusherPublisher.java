package dev.herald.server.pusher;

import dev.herald.core.PushCenter;
import dev.herald.core.message.PublishRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes Pusher events through Herald's one publish path: channels become topics, {@code #server-to-user-{id}}
 * becomes user {@code id}, and the event travels as its {@link PusherEvent} envelope, fire-and-forget
 * ({@code persist: false}) as Pusher's are: only connections open now get it, on this node and, through the broker,
 * on the others. The last event of a cache channel is kept in the {@link ChannelDirectory} here, by the node that
 * publishes it (the bridges of the subscribed nodes keep it in this node's memory too, for a single node).
 */
final class PusherPublisher {
    private final PushCenter center;
    private final ChannelDirectory directory;

    PusherPublisher(PushCenter center, ChannelDirectory directory) {
        this.center = center;
        this.directory = directory;
    }

    CompletableFuture<PushCenter.Published> publish(List<String> channelNames, PusherEvent event) {
        for (String channel : channelNames) {
            if (ChannelNames.isCache(channel)) {
                directory.remember(channel, event); // before the publish: a subscriber that saw it may then read it back
            }
        }
        try {
            return center.publish(request(channelNames, event));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The Herald publish of a Pusher event: channels as topics, {@code #server-to-user-{id}} as users, not stored. */
    static PublishRequest request(List<String> channelNames, PusherEvent event) {
        List<String> users = new ArrayList<>();
        List<String> topics = new ArrayList<>();
        for (String channel : channelNames) {
            if (ChannelNames.kind(channel) == ChannelNames.Kind.USER) {
                users.add(ChannelNames.userOf(channel));
            } else {
                topics.add(channel);
            }
        }
        String data = event.toHeraldData();
        return new PublishRequest(users, topics, false, data, data.getBytes(StandardCharsets.UTF_8), false, null, null);
    }
}
