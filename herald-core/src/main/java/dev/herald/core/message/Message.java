package dev.herald.core.message;

import dev.herald.core.JsonText;
import dev.herald.core.store.StreamPosition;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One published message. Immutable; its wire frames are encoded at most once and then shared by
 * every recipient (a broadcast to 10,000 connections encodes one frame, not 10,000).
 *
 * <p>{@code dataJson} is the message's {@code data} exactly as the publisher wrote it (any JSON
 * value); {@code rawBody} is what seed-protocol connections receive, byte for byte: the string's
 * content when {@code data} is a JSON string, otherwise the JSON text itself.
 *
 * <p>A durable message knows its {@link StreamPosition} in each stream the store put it in; its envelope
 * through a stream names that position, so a client can resume the stream from it. A frame that names a
 * position is shared only by the recipients of that stream: one per topic, one for the broadcast, and one per
 * user only when the message has a single recipient user (a message to several users is encoded per user).
 */
public final class Message {
    private final String id;
    private final long timestamp;
    private final String dataJson;
    private final byte[] rawBody;
    private final boolean durable;
    private final Map<Target, StreamPosition> positions;
    /** Shared by every user it reaches directly with no position in their inbox (fire-and-forget messages). */
    private volatile byte[] directEnvelope;
    /** The frame of the one user with a position, when there is only one (the common case of a durable message). */
    private volatile byte[] soleUserEnvelope;
    private volatile byte[] broadcastEnvelope;
    /** Created by the first topic delivery: most messages never go through a topic. */
    private volatile ConcurrentHashMap<String, byte[]> topicEnvelopes;

    /** A fire-and-forget message (not in the store). */
    public Message(String id, long timestamp, String dataJson, byte[] rawBody) {
        this(id, timestamp, dataJson, rawBody, false);
    }

    /** {@code durable}: committed to the message store, so its deliveries to users are tracked as receipts. */
    public Message(String id, long timestamp, String dataJson, byte[] rawBody, boolean durable) {
        this(id, timestamp, dataJson, rawBody, durable, Map.of());
    }

    /** A durable message with its positions in the streams it was appended to (see {@code Appended#positions}). */
    public Message(String id, long timestamp, String dataJson, byte[] rawBody, boolean durable,
                   Map<Target, StreamPosition> positions) {
        this.id = id;
        this.timestamp = timestamp;
        this.dataJson = dataJson;
        this.rawBody = rawBody;
        this.durable = durable;
        this.positions = Map.copyOf(positions);
    }

    /** Its position in {@code stream}, or {@code null} (a fire-and-forget message, or a stream it is not in). */
    public StreamPosition position(Target stream) {
        return positions.get(stream);
    }

    /** Its positions by stream (empty for a fire-and-forget message). */
    public Map<Target, StreamPosition> positions() {
        return positions;
    }

    public String id() {
        return id;
    }

    /** Milliseconds since the epoch when Herald accepted the message. */
    public long timestamp() {
        return timestamp;
    }

    public boolean durable() {
        return durable;
    }

    public String dataJson() {
        return dataJson;
    }

    /** The seed-protocol frame. Shared: callers must not modify it. */
    public byte[] rawFrame() {
        return rawBody;
    }

    /**
     * The Herald-protocol frame of this message through {@code stream}:
     * {@code {"type":"message","id":…,"ts":…,"topic"?:…,"all"?:true,"pos"?:…,"epoch"?:…,"data":…}}.
     * {@code stream} is the recipient's own inbox ({@link Target.User}), a topic it follows, or
     * {@link Target.Everyone}; {@code pos} and {@code epoch} are the message's position there, when it has one.
     * Shared: callers must not modify it.
     */
    public byte[] envelopeFrame(Target stream) {
        return switch (stream) {
            case Target.User user -> directFrame(user);
            case Target.Everyone everyone -> {
                byte[] frame = broadcastEnvelope;
                if (frame == null) {
                    frame = encodeEnvelope(stream);
                    broadcastEnvelope = frame;
                }
                yield frame;
            }
            case Target.Topic topic -> topicFrame(topic);
        };
    }

    private byte[] directFrame(Target.User user) {
        if (!positions.containsKey(user)) {
            byte[] frame = directEnvelope;
            if (frame == null) {
                frame = encodeEnvelope(user); // names no position: the same for every user
                directEnvelope = frame;
            }
            return frame;
        }
        if (!singleUser()) {
            return encodeEnvelope(user);
        }
        byte[] frame = soleUserEnvelope;
        if (frame == null) {
            frame = encodeEnvelope(user);
            soleUserEnvelope = frame;
        }
        return frame;
    }

    private boolean singleUser() {
        int users = 0;
        for (Target t : positions.keySet()) {
            if (t instanceof Target.User && ++users > 1) {
                return false;
            }
        }
        return true;
    }

    private byte[] topicFrame(Target.Topic topic) {
        ConcurrentHashMap<String, byte[]> byTopic = topicEnvelopes;
        if (byTopic == null) {
            synchronized (this) {
                byTopic = topicEnvelopes;
                if (byTopic == null) {
                    byTopic = new ConcurrentHashMap<>(2);
                    topicEnvelopes = byTopic;
                }
            }
        }
        return byTopic.computeIfAbsent(topic.name(), name -> encodeEnvelope(topic));
    }

    private byte[] encodeEnvelope(Target stream) {
        StringBuilder sb = new StringBuilder(96 + id.length() + dataJson.length());
        sb.append("{\"type\":\"message\",\"id\":\"").append(id).append("\",\"ts\":").append(timestamp);
        if (stream instanceof Target.Topic topic) {
            // topic names are validated to a charset that needs no JSON escaping (Topics.validate)
            sb.append(",\"topic\":\"").append(topic.name()).append('"');
        } else if (stream instanceof Target.Everyone) {
            sb.append(",\"all\":true");
        }
        StreamPosition position = positions.get(stream);
        if (position != null) {
            sb.append(",\"pos\":").append(position.position()).append(",\"epoch\":").append(JsonText.quote(position.epoch()));
        }
        sb.append(",\"data\":").append(dataJson).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
