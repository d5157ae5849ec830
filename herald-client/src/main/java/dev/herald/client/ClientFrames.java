package dev.herald.client;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The client frames a {@link HeraldSubscriber} sends (docs/protocol.md, "Client frames"). */
final class ClientFrames {
    private ClientFrames() { }

    /** {@code {"type":"auth",…fields}}: uid or token, and the resume cursors. */
    static String auth(Map<String, String> fields) {
        StringBuilder b = new StringBuilder("{\"type\":\"auth\"");
        fields.forEach((k, v) -> b.append(',').append(Json.quote(k)).append(':').append(Json.quote(v)));
        return b.append('}').toString();
    }

    /** subscribe / unsubscribe; {@code since} and {@code ref} when not null. */
    static String topics(String type, List<String> topics, String since, String ref) {
        StringBuilder b = new StringBuilder("{\"type\":").append(Json.quote(type)).append(",\"topics\":").append(array(topics));
        if (since != null) {
            b.append(",\"since\":").append(Json.quote(since));
        }
        if (ref != null) {
            b.append(",\"ref\":").append(Json.quote(ref));
        }
        return b.append('}').toString();
    }

    /** ack / read of one or several ids. */
    static String ids(String type, List<String> ids) {
        return ids.size() == 1
                ? "{\"type\":" + Json.quote(type) + ",\"id\":" + Json.quote(ids.get(0)) + "}"
                : "{\"type\":" + Json.quote(type) + ",\"ids\":" + array(ids) + "}";
    }

    private static String array(List<String> values) {
        return values.stream().map(Json::quote).collect(Collectors.joining(",", "[", "]"));
    }
}
