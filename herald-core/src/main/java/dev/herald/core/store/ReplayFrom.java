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

    public ReplayFrom {
        if (afterId != null && afterPosition != null) {
            throw new IllegalArgumentException("a replay starts after an id or after a position, not both");
        }
    }

    /** A client's {@code since}: a message id or {@code <pos>@<epoch>}; {@code null} when it is neither. Never throws. */
    public static ReplayFrom parse(String since) {
        if (MessageIds.isValid(since)) {
            return new ReplayFrom(since, null);
        }
        StreamPosition position = StreamPosition.parseCursor(since);
        return position == null ? null : new ReplayFrom(null, position);
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
