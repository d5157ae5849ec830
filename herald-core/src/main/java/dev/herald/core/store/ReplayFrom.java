package dev.herald.core.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.message.Target;

/**
 * Where a client's replay of one stream starts: after a message id, after a position of the stream, or at its
 * beginning (both {@code null}). Immutable.
 *
 * @param afterId       the last message id the client saw, or {@code null}
 * @param afterPosition the last position of the stream the client saw, or {@code null}
 */
public record ReplayFrom(String afterId, StreamPosition afterPosition) {
    public static final ReplayFrom BEGINNING = new ReplayFrom(null, null);

    /**
     * The cursor a client keeps for a stream nobody has written to yet (the server had no position to give it):
     * {@code 0}, before the stream's first message, in whatever epoch the stream gets. Read back, it replays the
     * stream from its beginning with no gap.
     */
    public static final String START = "0";

    /**
     * Just after the stream's last message: a read from here returns no message, only the stream's head. Per the
     * store's id-cursor rule (from the first message with a greater id), an id above every ULID starts past the
     * last message and reports no gap.
     */
    public static final ReplayFrom HEAD = new ReplayFrom("8" + "0".repeat(25), null);

    public ReplayFrom {
        if (afterId != null && afterPosition != null) {
            throw new IllegalArgumentException("a replay starts after an id or after a position, not both");
        }
    }

    /**
     * A client's {@code since}: a message id, {@code <pos>@<epoch>} or {@link #START}; {@code null} when it is none
     * of them. Never throws.
     */
    public static ReplayFrom parse(String since) {
        if (START.equals(since)) {
            return BEGINNING;
        }
        if (MessageIds.isValid(since)) {
            return new ReplayFrom(since, null);
        }
        StreamPosition position = StreamPosition.parseCursor(since);
        return position == null ? null : new ReplayFrom(null, position);
    }

    /** A client's {@code sinceAll}: {@code <pos>@<epoch>} or {@link #START}; {@code null} when it is neither. Never throws. */
    public static ReplayFrom parsePosition(String since) {
        if (START.equals(since)) {
            return BEGINNING;
        }
        StreamPosition position = StreamPosition.parseCursor(since);
        return position == null ? null : new ReplayFrom(null, position);
    }

    /** The cursor form of {@code head}: {@code <pos>@<epoch>}, or {@link #START} when the stream has no position yet. */
    public static String cursorOf(StreamPosition head) {
        return head == null ? START : head.toString();
    }

    /** Just after {@code last} (a message read from {@code stream}), by position: for the next page. */
    public static ReplayFrom after(StoredMessage last, Target stream) {
        return new ReplayFrom(null, last.position(stream));
    }

    /** A request for one page of {@code stream} from here, at or below position {@code upTo}. */
    public ReplayRequest request(Target stream, ReplayRequest.Pending pending, int limit, long upTo) {
        return new ReplayRequest(stream, afterId, afterPosition, pending, limit, upTo);
    }
}
