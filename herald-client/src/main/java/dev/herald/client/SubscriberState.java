package dev.herald.client;

import java.time.Duration;

/**
 * A change of a {@link HeraldSubscriber}'s connection.
 *
 * @param state      what it is doing now
 * @param code       the close code that ended the previous connection (1006: the network, or no answer to a ping), or 0
 * @param reason     that close's reason, or a short explanation; "" when none
 * @param retryIn    when {@code RECONNECTING}: the wait before the next attempt; else null
 * @param user       when {@code OPEN}: the user the server logged in
 * @param connection when {@code OPEN}: the connection id (usable to kick just this connection)
 */
public record SubscriberState(Kind state, int code, String reason, Duration retryIn, String user, String connection) {
    public enum Kind {
        /** Opening a connection, or logging in. */
        CONNECTING,
        /** Logged in; messages flow. */
        OPEN,
        /** The connection ended; another attempt follows after {@link #retryIn()}. */
        RECONNECTING,
        /** Stopped for good: {@link HeraldSubscriber#close()}, or a close code after which reconnecting cannot help. */
        CLOSED
    }
}
