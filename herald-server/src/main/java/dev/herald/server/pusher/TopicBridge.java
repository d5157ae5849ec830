package dev.herald.server.pusher;

import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Joins one occupied Pusher channel to the Herald topic of the same name: a session in the hub that follows the topic,
 * one per channel per node (not one per Pusher connection), so a message published to the topic — by Herald's API, a
 * Pusher {@code events} call or a client event, on this node or another — is decoded once and handed to the channel's
 * Pusher subscribers. It exists while the channel has subscribers on this node.
 *
 * <p>Thread-safe: the hub calls {@link #send} from publishing threads; {@link PusherChannels#deliver} only enqueues.
 */
final class TopicBridge extends BaseSession {
    private final String channel;
    private final PusherChannels channels;

    TopicBridge(String channel, PusherChannels channels) {
        super("pusher-bridge:" + channel, "local", Instant.now());
        this.channel = channel;
        this.channels = channels;
    }

    @Override
    public boolean send(byte[] heraldFrame) {
        JsonObject envelope = new JsonObject(Buffer.buffer(heraldFrame));
        if ("message".equals(envelope.getString("type"))) {
            channels.deliver(channel, PusherEvent.fromHeraldData(envelope.getValue("data")));
        }
        return true;
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        // nothing to close: the channel ends with its last subscriber
    }
}
