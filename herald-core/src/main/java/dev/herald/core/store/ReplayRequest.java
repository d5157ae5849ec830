package dev.herald.core.store;

import dev.herald.core.message.Target;

/**
 * Which stored messages of one stream to read, oldest first. Expired and dropped messages are never
 * returned.
 *
 * @param stream  a user's inbox ({@link Target.User}), a topic's log, or the broadcast log ({@link Target.Everyone})
 * @param afterId only messages after this one, by position when the stream holds it (its position there is the
 *                cursor); otherwise (the id names a message of another stream, or one trimmed since) from the stream's
 *                first message with a greater id (an id cursor is exact only in its own stream: ids are taken before
 *                the commit, so they are not in commit order). {@code null} for no lower bound
 * @param afterPosition only messages after this position of the stream, in position order; {@code null} for none.
 *                At most one of {@code afterId} and {@code afterPosition} is given. When its epoch is not the
 *                stream's (the stream's history was lost or reset since), the replay starts at the stream's
 *                beginning and reports a gap. A position the stream has not reached yet is treated like the
 *                stream's last position (nothing is replayed, no gap).
 * @param pending for a user's inbox, only messages whose status is below this one's
 *                ({@link Pending#ALL} for no such filter; ignored for topics and broadcasts)
 * @param limit   at most this many messages
 * @param upTo    only messages at or below this position ({@link Long#MAX_VALUE} for none): a replay's later pages
 *                stop at the head its first page named ({@link Replay#head()}); messages above it come live
 */
public record ReplayRequest(Target stream, String afterId, StreamPosition afterPosition, Pending pending, int limit, long upTo) {
    public ReplayRequest {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (afterId != null && afterPosition != null) {
            throw new IllegalArgumentException("a replay starts after an id or after a position, not both");
        }
    }

    /** Without an upper bound. */
    public ReplayRequest(Target stream, String afterId, StreamPosition afterPosition, Pending pending, int limit) {
        this(stream, afterId, afterPosition, pending, limit, Long.MAX_VALUE);
    }

    /** Messages after an id (or from the beginning when {@code afterId} is {@code null}). */
    public ReplayRequest(Target stream, String afterId, Pending pending, int limit) {
        this(stream, afterId, null, pending, limit);
    }

    /** The per-user status filter. */
    public enum Pending {
        /** Every retained message. */
        ALL,
        /** Only messages not yet written to any connection of the user (seed clients, which cannot ack). */
        UNDELIVERED,
        /** Only messages the user has not acked. */
        UNACKED
    }
}
