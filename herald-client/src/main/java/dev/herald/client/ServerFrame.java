package dev.herald.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One server frame of docs/protocol.md, read with streaming Jackson. Only the fields the subscriber uses are kept;
 * unknown fields and types are ignored, as the protocol asks. {@code data} is kept as the exact JSON text the server
 * sent (a substring of the frame), so nothing is re-encoded.
 */
record ServerFrame(String type, String id, long ts, String topic, boolean all, Long pos, String epoch, String dataJson,
                   String since, String position, String inbox, String allCursor, Map<String, String> topicCursors,
                   String code, String message, String ref, Long heartbeat, String user, String connection, String node) {
    private static final JsonFactory JSON = new JsonFactory();

    /** The frame, or null when {@code text} is not a JSON object. */
    static ServerFrame parse(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Builder b = new Builder();
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "type" -> b.type = string(p, t);
                    case "id" -> b.id = string(p, t);
                    case "ts" -> b.ts = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    case "topic" -> b.topic = string(p, t);
                    case "all" -> {
                        if (t == JsonToken.VALUE_STRING) {
                            b.allCursor = p.getText(); // positions frame: the broadcast log's cursor
                        } else {
                            b.all = t == JsonToken.VALUE_TRUE;
                        }
                    }
                    case "pos" -> b.pos = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                    case "epoch" -> b.epoch = string(p, t);
                    case "data" -> {
                        int start = (int) p.currentTokenLocation().getCharOffset();
                        p.skipChildren();
                        p.finishToken(); // a string is read lazily: its end is known once it is finished
                        int end = (int) p.currentLocation().getCharOffset();
                        b.dataJson = text.substring(start, end);
                    }
                    case "since" -> b.since = t == JsonToken.VALUE_NUMBER_INT ? p.getText() : string(p, t);
                    case "position" -> b.position = string(p, t);
                    case "inbox" -> b.inbox = string(p, t);
                    case "topics" -> b.topicCursors = cursors(p, t);
                    case "code" -> b.code = string(p, t);
                    case "message" -> b.message = string(p, t);
                    case "ref" -> b.ref = t == JsonToken.VALUE_NUMBER_INT ? p.getText() : string(p, t);
                    case "heartbeat" -> b.heartbeat = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                    case "user" -> b.user = string(p, t);
                    case "connection" -> b.connection = string(p, t);
                    case "node" -> b.node = string(p, t);
                    default -> p.skipChildren();
                }
            }
            return b.build();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String string(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static Map<String, String> cursors(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren(); // a subscribed frame's topics array
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            String cursor = string(p, v);
            if (cursor != null) {
                out.put(name, cursor);
            }
        }
        return out;
    }

    private static final class Builder {
        String type;
        String id;
        long ts;
        String topic;
        boolean all;
        Long pos;
        String epoch;
        String dataJson;
        String since;
        String position;
        String inbox;
        String allCursor;
        Map<String, String> topicCursors = Map.of();
        String code;
        String message;
        String ref;
        Long heartbeat;
        String user;
        String connection;
        String node;

        ServerFrame build() {
            return new ServerFrame(type, id, ts, topic, all, pos, epoch, dataJson, since, position, inbox, allCursor,
                    topicCursors, code, message, ref, heartbeat, user, connection, node);
        }
    }
}
