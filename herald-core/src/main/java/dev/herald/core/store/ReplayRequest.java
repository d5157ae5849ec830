package dev.herald.core.store;

import dev.herald.core.message.Target;

/**
 * Which stored messages of one stream to read, oldest first. Expired and dropped messages are never
 * returned.
 *
 * @param stream  a user's inbox ({@link Target.User}), a topic's log, or the broadcast log ({@link Target.Everyone})
 * @param afterId only messages with an id greater than this one; {@code null} for no lower bound
 * @param pending for a user's inbox, only messages whose status is below this one's
 *                ({@link Pending#ALL} for no such filter; ignored for topics and broadcasts)
 * @param limit   at most this many messages
 */
public record ReplayRequest(Target stream, String afterId, Pending pending, int limit) {
    public ReplayRequest {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
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
