package dev.herald.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last position delivered to the application in each stream, keyed by {@link #INBOX}, {@link #BROADCAST} or
 * {@link #topic(String)}: where each stream resumes after a reconnect, and the floor at or below which a message of
 * the same epoch is a repeat. Not thread-safe: owned by the subscriber's I/O thread.
 */
final class StreamCursors {
    static final String INBOX = "inbox";
    static final String BROADCAST = "all";
    private static final String TOPIC = "topic:";

    private final Map<String, StreamPosition> byStream = new LinkedHashMap<>();

    static String topic(String name) {
        return TOPIC + name;
    }

    /** The stream a message came through: its topic, the broadcast log, or the user's inbox. */
    static String streamOf(String topic, boolean all) {
        if (all) {
            return BROADCAST;
        }
        return topic != null ? topic(topic) : INBOX;
    }

    StreamPosition get(String stream) {
        return byStream.get(stream);
    }

    void set(String stream, StreamPosition position) {
        byStream.put(stream, position);
    }

    void remove(String stream) {
        byStream.remove(stream);
    }

    /** Whether {@code position} is at or below the last one delivered in the same epoch: already delivered. */
    boolean isRepeat(String stream, StreamPosition position) {
        StreamPosition last = byStream.get(stream);
        return last != null && last.epoch().equals(position.epoch()) && position.pos() <= last.pos();
    }

    /**
     * The last position of {@code stream} when {@code position} is of another epoch (its history was lost or reset),
     * else null. A stream at {@link StreamPosition#START} had nothing to lose.
     */
    StreamPosition replacedBy(String stream, StreamPosition position) {
        StreamPosition last = byStream.get(stream);
        return last != null && last.pos() > 0 && !last.epoch().equals(position.epoch()) ? last : null;
    }

    /** {@code inbox}, {@code all} and {@code topic:<name>} to cursor texts, in a fresh map. */
    Map<String, String> snapshot() {
        Map<String, String> copy = new LinkedHashMap<>();
        byStream.forEach((stream, position) -> copy.put(stream, position.toString()));
        return copy;
    }

    /** Reads back what {@link #snapshot()} gave, skipping what is not a cursor. */
    static StreamCursors of(Map<String, String> snapshot) {
        StreamCursors cursors = new StreamCursors();
        snapshot.forEach((stream, text) -> {
            StreamPosition position = StreamPosition.parse(text);
            if (position != null && (stream.equals(INBOX) || stream.equals(BROADCAST) || stream.startsWith(TOPIC))) {
                cursors.set(stream, position);
            }
        });
        return cursors;
    }
}
