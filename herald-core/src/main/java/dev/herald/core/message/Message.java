package dev.herald.core.message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One published message. Immutable; its wire frames are encoded at most once and then shared by
 * every recipient (a broadcast to 10,000 connections encodes one frame, not 10,000).
 *
 * <p>{@code dataJson} is the message's {@code data} exactly as the publisher wrote it (any JSON
 * value); {@code rawBody} is what seed-protocol connections receive, byte for byte: the string's
 * content when {@code data} is a JSON string, otherwise the JSON text itself.
 */
public final class Message {
    private final String id;
    private final long timestamp;
    private final String dataJson;
    private final byte[] rawBody;
    private final boolean durable;
    private volatile byte[] directEnvelope;
    /** Created by the first topic delivery: most messages never go through a topic. */
    private volatile ConcurrentHashMap<String, byte[]> topicEnvelopes;

    /** A fire-and-forget message (not in the store). */
    public Message(String id, long timestamp, String dataJson, byte[] rawBody) {
        this(id, timestamp, dataJson, rawBody, false);
    }

    /** {@code durable}: committed to the message store, so its deliveries to users are tracked as receipts. */
    public Message(String id, long timestamp, String dataJson, byte[] rawBody, boolean durable) {
        this.id = id;
        this.timestamp = timestamp;
        this.dataJson = dataJson;
        this.rawBody = rawBody;
        this.durable = durable;
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
     * The Herald-protocol frame, {@code {"type":"message","id":…,"ts":…,"topic"?:…,"data":…}}.
     * {@code viaTopic} is the topic the recipient follows, or {@code null} for direct delivery.
     * Shared: callers must not modify it.
     */
    public byte[] envelopeFrame(String viaTopic) {
        if (viaTopic == null) {
            byte[] frame = directEnvelope;
            if (frame == null) {
                frame = encodeEnvelope(null);
                directEnvelope = frame;
            }
            return frame;
        }
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
        return byTopic.computeIfAbsent(viaTopic, this::encodeEnvelope);
    }

    private byte[] encodeEnvelope(String topic) {
        StringBuilder sb = new StringBuilder(64 + id.length() + dataJson.length());
        sb.append("{\"type\":\"message\",\"id\":\"").append(id).append("\",\"ts\":").append(timestamp);
        if (topic != null) {
            // topic names are validated to a charset that needs no JSON escaping (Topics.validate)
            sb.append(",\"topic\":\"").append(topic).append('"');
        }
        sb.append(",\"data\":").append(dataJson).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
