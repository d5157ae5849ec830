package dev.herald.core.protocol;

import dev.herald.core.JsonText;
import dev.herald.core.message.Target;

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
     * ({@code "all":true}), as a message frame names the stream it came through. {@code position} is where the
     * client now stands in the stream (a cursor, in the stream's current epoch), before the messages that follow.
     */
    public static byte[] gap(String since, Target stream, String position) {
        String where = switch (stream) {
            case Target.Topic topic -> ",\"topic\":" + JsonText.quote(topic.name());
            case Target.Everyone everyone -> ",\"all\":true";
            case Target.User user -> "";
        };
        return ("{\"type\":\"gap\",\"since\":" + JsonText.quote(since) + where + ",\"position\":" + JsonText.quote(position) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * After a login's replay: where the connection stands in its inbox and in the broadcast log (cursors:
     * {@code <pos>@<epoch>}, or {@code 0} for a stream nobody has written to yet). Every message at or below came
     * before this frame; every later one comes after it.
     */
    public static byte[] loginPositions(String inbox, String all) {
        return ("{\"type\":\"positions\",\"inbox\":" + JsonText.quote(inbox) + ",\"all\":" + JsonText.quote(all) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** After a {@code subscribe}'s replay (or head read): where the connection stands in each topic, as {@link #loginPositions}. */
    public static byte[] topicPositions(List<String> topics, List<String> cursors, String ref) {
        StringBuilder sb = new StringBuilder("{\"type\":\"positions\",\"topics\":{");
        for (int i = 0; i < topics.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(JsonText.quote(topics.get(i))).append(':').append(JsonText.quote(cursors.get(i)));
        }
        return sb.append('}').append(ref(ref)).append('}').toString().getBytes(StandardCharsets.UTF_8);
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
