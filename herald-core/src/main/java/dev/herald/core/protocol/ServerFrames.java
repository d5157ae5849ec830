package dev.herald.core.protocol;

import dev.herald.core.JsonText;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes the control frames the server sends (messages are encoded by {@code Message}). */
public final class ServerFrames {
    private ServerFrames() { }

    public static byte[] welcome(String connectionId, String userId, long heartbeatMillis, String nodeId) {
        return ("{\"type\":\"welcome\",\"connection\":" + JsonText.quote(connectionId) + ",\"user\":" + JsonText.quote(userId)
                + ",\"heartbeat\":" + heartbeatMillis + ",\"node\":" + JsonText.quote(nodeId) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Messages after {@code since} were lost (TTL or stream cap) before this client could get them;
     * {@code topic} names the topic, or is {@code null} for the user's own inbox.
     */
    public static byte[] gap(String since, String topic) {
        return ("{\"type\":\"gap\",\"since\":" + JsonText.quote(since) + (topic == null ? "" : ",\"topic\":" + JsonText.quote(topic)) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A gap in {@code stream}: the user's inbox (no stream field), a topic ({@code "topic"}) or the broadcast log
     * ({@code "all":true}), as a message frame names the stream it came through.
     */
    public static byte[] gap(String since, dev.herald.core.message.Target stream) {
        return switch (stream) {
            case dev.herald.core.message.Target.Topic topic -> gap(since, topic.name());
            case dev.herald.core.message.Target.Everyone everyone -> ("{\"type\":\"gap\",\"since\":" + JsonText.quote(since) + ",\"all\":true}")
                    .getBytes(StandardCharsets.UTF_8);
            case dev.herald.core.message.Target.User user -> gap(since, (String) null);
        };
    }

    public static byte[] pong(String ref) {
        return ("{\"type\":\"pong\"" + ref(ref) + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] subscribed(String type, List<String> topics, String ref) {
        StringBuilder sb = new StringBuilder("{\"type\":\"").append(type).append("\",\"topics\":[");
        for (int i = 0; i < topics.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(JsonText.quote(topics.get(i)));
        }
        return sb.append(']').append(ref(ref)).append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] error(ProtocolError error, String message, String ref) {
        return ("{\"type\":\"error\",\"code\":\"" + error.code() + "\",\"message\":" + JsonText.quote(message) + ref(ref) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String ref(String ref) {
        return ref == null ? "" : ",\"ref\":" + JsonText.quote(ref);
    }
}
