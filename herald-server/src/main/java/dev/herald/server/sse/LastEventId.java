package dev.herald.server.sse;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.Topics;
import dev.herald.core.store.ReplayFrom;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an SSE client stands in every stream it reads, as one {@code id:} value. SSE has a single event id per
 * stream of events, but a Herald connection reads several streams, each with positions of its own (the inbox, the
 * broadcast log, each topic), so the id is the connection's whole cursor set, in the terms of a {@code positions}
 * frame:
 * <pre>inbox=3@3f9a0c12,all=19@0c5e9a41,topic:orders.eu=2@b41d77e0</pre>
 * Comma-separated {@code key=cursor} pairs; keys {@code inbox}, {@code all} and {@code topic:<name>}; each cursor
 * a {@code <pos>@<epoch>} or {@code 0}, exactly as in a {@code positions} frame. Topic names cannot hold {@code ,}
 * or {@code =}, so the format needs no escaping. A stream whose position is not known yet is left out.
 *
 * <p>On reconnect ({@code Last-Event-ID}, or {@code ?lastEventId=}) each stream resumes from its cursor exactly as
 * with {@code since} (inbox), {@code sinceAll} (broadcast log) and a {@code subscribe}'s {@code since} (topic). An
 * id without {@code =} is taken as a plain {@code since} value (a message id or an inbox position).
 *
 * <p>Not thread-safe: an {@link SseSession} moves it under its own lock, in the order its events are queued.
 */
final class LastEventId {
    /** Longest {@code Last-Event-ID} read: far above what {@code ws.max-topics-per-connection} topics need. */
    static final int MAX_LENGTH = 16 * 1024;

    private String inbox;
    private String all;
    private final Map<String, String> topics = new LinkedHashMap<>();
    /** A plain {@code since} value (no {@code =}), when the client sent one. */
    private String plainSince;

    String inbox() {
        return plainSince != null ? plainSince : inbox;
    }

    String all() {
        return all;
    }

    /** Topic name to its cursor, in the order the client named them. */
    Map<String, String> topics() {
        return topics;
    }

    /** Parses a client's id; {@code invalid_cursor} when it is not one this server could have sent. */
    static LastEventId parse(String text) throws HeraldException {
        LastEventId id = new LastEventId();
        if (text == null || text.isBlank()) {
            return id;
        }
        if (text.length() > MAX_LENGTH) {
            throw invalid("the Last-Event-ID is longer than " + MAX_LENGTH + " characters");
        }
        if (text.indexOf('=') < 0) {
            if (ReplayFrom.parse(text.trim()) == null) {
                throw invalid("the Last-Event-ID is neither a cursor set (inbox=…,all=…,topic:<name>=…) nor a message id or position");
            }
            id.plainSince = text.trim();
            return id;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw invalid("each part of the Last-Event-ID is <stream>=<cursor>");
            }
            String key = pair.substring(0, eq).trim();
            String cursor = pair.substring(eq + 1).trim();
            if (ReplayFrom.parsePosition(cursor) == null) {
                throw invalid("'" + key + "' in the Last-Event-ID is not a position (<pos>@<epoch> or 0)");
            }
            if (key.equals("inbox")) {
                id.inbox = cursor;
            } else if (key.equals("all")) {
                id.all = cursor;
            } else if (key.startsWith("topic:") && Topics.isValid(key.substring(6))) {
                id.topics.put(key.substring(6), cursor);
            } else {
                throw invalid("the Last-Event-ID names an unknown stream (expected inbox, all or topic:<name>)");
            }
        }
        return id;
    }

    private static HeraldException invalid(String message) {
        return ErrorCode.INVALID_CURSOR.exception(message);
    }

    /**
     * Moves the cursors by one frame about to be queued; returns whether the frame carries positions (a positioned
     * message, a {@code positions} or a {@code gap} frame), i.e. whether its event gets an {@code id:}.
     */
    boolean observe(FrameHeader frame) {
        switch (frame.type()) {
            case "message" -> {
                if (frame.pos() < 0 || frame.epoch() == null) {
                    return false; // fire-and-forget: in no stream
                }
                set(frame.topic(), frame.all(), frame.pos() + "@" + frame.epoch());
                return true;
            }
            case "positions" -> {
                if (frame.inbox() != null) {
                    set(null, false, frame.inbox());
                }
                if (frame.allCursor() != null) {
                    set(null, true, frame.allCursor());
                }
                frame.topics().forEach((topic, cursor) -> set(topic, false, cursor));
                return true;
            }
            case "gap" -> {
                if (frame.position() == null) {
                    return false;
                }
                set(frame.topic(), frame.all(), frame.position());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void set(String topic, boolean all, String cursor) {
        plainSince = null; // once a position is known, the id speaks in positions
        if (topic != null) {
            topics.put(topic, cursor);
        } else if (all) {
            this.all = cursor;
        } else {
            this.inbox = cursor;
        }
    }

    /** The id: every known cursor, {@code inbox} and {@code all} first; empty when none is known. */
    String render() {
        StringBuilder sb = new StringBuilder();
        if (plainSince != null) {
            return plainSince;
        }
        if (inbox != null) {
            sb.append("inbox=").append(inbox);
        }
        if (all != null) {
            sb.append(sb.isEmpty() ? "" : ",").append("all=").append(all);
        }
        topics.forEach((topic, cursor) -> sb.append(sb.isEmpty() ? "" : ",").append("topic:").append(topic).append('=').append(cursor));
        return sb.toString();
    }
}
