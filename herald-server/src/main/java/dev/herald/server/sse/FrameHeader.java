package dev.herald.server.sse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an SSE stream needs to know of one Herald frame before it writes it: the frame's {@code type} (the event
 * name) and the stream positions it carries, which move the stream's {@code id:} ({@link LastEventId}):
 * <ul>
 *   <li>{@code message}: {@code pos}/{@code epoch} in the stream it came through (the inbox, {@code topic} or
 *       {@code all}); absent for fire-and-forget messages;</li>
 *   <li>{@code positions}: {@code inbox}, {@code all} and {@code topics} cursors;</li>
 *   <li>{@code gap}: the {@code position} where the client now stands in its stream.</li>
 * </ul>
 * Reads the frame's top-level fields only and stops at {@code data}: the server writes every header field before
 * the payload ({@code Message#envelopeFrame}), so a large payload is never parsed. Stateless and thread-safe.
 */
record FrameHeader(String type, String topic, boolean all, long pos, String epoch, String position,
                   String inbox, String allCursor, Map<String, String> topics) {
    private static final JsonFactory JSON = new JsonFactory();
    static final FrameHeader UNKNOWN = new FrameHeader("message", null, false, -1, null, null, null, null, Map.of());

    /** The header of a frame Herald encoded; {@link #UNKNOWN} (an unpositioned message) when it cannot be read. */
    static FrameHeader of(byte[] frame) {
        String type = null;
        String topic = null;
        boolean all = false;
        long pos = -1;
        String epoch = null;
        String position = null;
        String inbox = null;
        String allCursor = null;
        Map<String, String> topics = Map.of();
        try (JsonParser p = JSON.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return UNKNOWN;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("data".equals(name)) {
                    break;
                }
                switch (name) {
                    case "type" -> type = p.getValueAsString();
                    case "topic" -> topic = p.getValueAsString();
                    case "all" -> {
                        if (value == JsonToken.VALUE_TRUE) {
                            all = true;
                        } else if (value == JsonToken.VALUE_STRING) {
                            allCursor = p.getValueAsString();
                        }
                    }
                    case "pos" -> pos = p.getValueAsLong(-1);
                    case "epoch" -> epoch = p.getValueAsString();
                    case "position" -> position = p.getValueAsString();
                    case "inbox" -> inbox = p.getValueAsString();
                    case "topics" -> {
                        if (value == JsonToken.START_OBJECT) {
                            topics = new LinkedHashMap<>();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String t = p.currentName();
                                p.nextToken();
                                topics.put(t, p.getValueAsString());
                            }
                        } else {
                            p.skipChildren(); // subscribed / unsubscribed frames list their topics
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return UNKNOWN;
        }
        return new FrameHeader(type == null ? "message" : type, topic, all, pos, epoch, position, inbox, allCursor, topics);
    }
}
