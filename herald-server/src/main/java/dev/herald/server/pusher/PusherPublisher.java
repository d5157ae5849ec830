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
 * on the others. The last event of a cache channel is remembered here even when no one on this node subscribed it.
 */
final class PusherPublisher {
    private final PushCenter center;
    private final PusherChannels channels;

    PusherPublisher(PushCenter center, PusherChannels channels) {
        this.center = center;
        this.channels = channels;
    }

    CompletableFuture<PushCenter.Published> publish(List<String> channelNames, PusherEvent event) {
        List<String> users = new ArrayList<>();
        List<String> topics = new ArrayList<>();
        for (String channel : channelNames) {
            if (ChannelNames.kind(channel) == ChannelNames.Kind.USER) {
                users.add(ChannelNames.userOf(channel));
            } else {
                topics.add(channel);
                if (channels.subscriptionCount(channel) == 0) {
                    channels.remember(channel, event); // no bridge here to see it pass
                }
            }
        }
        String data = event.toHeraldData();
        PublishRequest request = new PublishRequest(users, topics, false, data, data.getBytes(StandardCharsets.UTF_8),
                false, null, null);
        try {
            return center.publish(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
